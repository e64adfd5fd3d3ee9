ALTER TABLE "usage_events" ADD COLUMN "reconciled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "usage_events" ADD COLUMN "original_raw_cost_nano" bigint;--> statement-breakpoint
CREATE INDEX "usage_events_unreconciled_idx" ON "usage_events" USING btree ("occurred_at") WHERE "usage_events"."reconciled_at" is null;