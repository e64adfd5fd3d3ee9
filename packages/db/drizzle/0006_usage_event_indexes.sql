DROP INDEX "usage_events_user_occurred_idx";--> statement-breakpoint
DROP INDEX "usage_events_org_period_idx";--> statement-breakpoint
DROP INDEX "usage_events_org_occurred_idx";--> statement-breakpoint
DROP INDEX "usage_events_org_user_occurred_idx";--> statement-breakpoint
CREATE INDEX "usage_events_org_model_occurred_idx" ON "usage_events" USING btree ("organization_id","model","occurred_at","generation_id");--> statement-breakpoint
CREATE INDEX "usage_events_org_status_occurred_idx" ON "usage_events" USING btree ("organization_id","status","occurred_at","generation_id") WHERE "usage_events"."status" <> 'ok';--> statement-breakpoint
CREATE INDEX "usage_events_org_occurred_idx" ON "usage_events" USING btree ("organization_id","occurred_at","generation_id");--> statement-breakpoint
CREATE INDEX "usage_events_org_user_occurred_idx" ON "usage_events" USING btree ("organization_id","user_id","occurred_at","generation_id");