CREATE TABLE "reconciliation_queue" (
	"generation_id" text PRIMARY KEY NOT NULL,
	"organization_id" uuid NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "reconciliation_queue_occurred_idx" ON "reconciliation_queue" USING btree ("occurred_at");--> statement-breakpoint
-- The events still waiting for a check, chosen as the ingest now chooses them: every failed one and
-- the API's default sample (MAI_RECONCILE_SAMPLE_BP = 500 of 10,000 generation ids, by the same
-- hash); a deployment with another rate applies it from its next recorded event on.
INSERT INTO "reconciliation_queue" ("generation_id", "organization_id", "occurred_at")
SELECT "generation_id", "organization_id", "occurred_at" FROM "usage_events"
WHERE "reconciled_at" IS NULL AND ("status" <> 'ok' OR mod(abs(hashtext("generation_id")), 10000) < 500)
ON CONFLICT DO NOTHING;--> statement-breakpoint
DROP INDEX "usage_events_unreconciled_idx";--> statement-breakpoint
ALTER TABLE "usage_events" DROP CONSTRAINT "usage_events_generation_id_occurred_at_pk";
