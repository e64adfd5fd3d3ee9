DROP INDEX "usage_events_org_occurred_idx";--> statement-breakpoint
CREATE INDEX "usage_daily_usage_date_idx" ON "usage_daily" USING btree ("usage_date");--> statement-breakpoint
CREATE INDEX "usage_events_org_occurred_idx" ON "usage_events" USING btree ("organization_id","occurred_at" DESC NULLS LAST,"generation_id" DESC NULLS LAST);