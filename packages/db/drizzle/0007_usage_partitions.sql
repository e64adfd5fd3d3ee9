-- usage_events becomes a table partitioned by month of occurred_at (UTC), on PostgreSQL and on
-- PGlite alike, with a DEFAULT partition so an event of any date is always accepted. Written by
-- hand: drizzle-kit describes the columns and indexes (schema/usage-events.ts), not partitioning.
-- The rows move over, each month into its own partition; generation ids go into usage_event_ids,
-- which keeps recording idempotent by generation id alone across partitions.
CREATE TABLE "usage_event_ids" (
	"generation_id" text PRIMARY KEY NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "usage_events" RENAME TO "usage_events_unpartitioned";--> statement-breakpoint
ALTER TABLE "usage_events_unpartitioned" RENAME CONSTRAINT "usage_events_pkey" TO "usage_events_unpartitioned_pkey";--> statement-breakpoint
ALTER TABLE "usage_events_unpartitioned" RENAME CONSTRAINT "usage_events_costs_nonneg" TO "usage_events_unpartitioned_costs_nonneg";--> statement-breakpoint
ALTER TABLE "usage_events_unpartitioned" RENAME CONSTRAINT "usage_events_organization_id_client_organizations_id_fk" TO "usage_events_unpartitioned_org_fk";--> statement-breakpoint
ALTER INDEX "usage_events_org_occurred_idx" RENAME TO "usage_events_unpartitioned_1";--> statement-breakpoint
ALTER INDEX "usage_events_org_user_occurred_idx" RENAME TO "usage_events_unpartitioned_2";--> statement-breakpoint
ALTER INDEX "usage_events_org_model_occurred_idx" RENAME TO "usage_events_unpartitioned_3";--> statement-breakpoint
ALTER INDEX "usage_events_org_status_occurred_idx" RENAME TO "usage_events_unpartitioned_4";--> statement-breakpoint
ALTER INDEX "usage_events_unreconciled_idx" RENAME TO "usage_events_unpartitioned_5";--> statement-breakpoint
CREATE TABLE "usage_events" (
	"generation_id" text NOT NULL,
	"organization_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"external_user_id" text NOT NULL,
	"model" text NOT NULL,
	"provider" text,
	"prompt_tokens" integer DEFAULT 0 NOT NULL,
	"completion_tokens" integer DEFAULT 0 NOT NULL,
	"reasoning_tokens" integer DEFAULT 0 NOT NULL,
	"cached_tokens" integer DEFAULT 0 NOT NULL,
	"raw_cost_nano" bigint NOT NULL,
	"billed_cost_nano" bigint NOT NULL,
	"markup_bp" integer NOT NULL,
	"status" "usage_status" NOT NULL,
	"streamed" boolean DEFAULT false NOT NULL,
	"latency_ms" integer,
	"ttfb_ms" integer,
	"occurred_at" timestamp with time zone NOT NULL,
	"period" text NOT NULL,
	"usage_date" date NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"reconciled_at" timestamp with time zone,
	"original_raw_cost_nano" bigint,
	CONSTRAINT "usage_events_generation_id_occurred_at_pk" PRIMARY KEY("generation_id","occurred_at"),
	CONSTRAINT "usage_events_costs_nonneg" CHECK ("usage_events"."raw_cost_nano" >= 0 and "usage_events"."billed_cost_nano" >= 0)
) PARTITION BY RANGE ("occurred_at");
--> statement-breakpoint
ALTER TABLE "usage_events" ADD CONSTRAINT "usage_events_organization_id_client_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."client_organizations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "usage_events_org_occurred_idx" ON "usage_events" USING btree ("organization_id","occurred_at","generation_id");--> statement-breakpoint
CREATE INDEX "usage_events_org_user_occurred_idx" ON "usage_events" USING btree ("organization_id","user_id","occurred_at","generation_id");--> statement-breakpoint
CREATE INDEX "usage_events_org_model_occurred_idx" ON "usage_events" USING btree ("organization_id","model","occurred_at","generation_id");--> statement-breakpoint
CREATE INDEX "usage_events_org_status_occurred_idx" ON "usage_events" USING btree ("organization_id","status","occurred_at","generation_id") WHERE "usage_events"."status" <> 'ok';--> statement-breakpoint
CREATE INDEX "usage_events_unreconciled_idx" ON "usage_events" USING btree ("occurred_at") WHERE "usage_events"."reconciled_at" is null;--> statement-breakpoint
CREATE TABLE "usage_events_default" PARTITION OF "usage_events" DEFAULT;--> statement-breakpoint
-- The partition of the UTC month starting at month_start, made if missing (true when made). Rows the
-- DEFAULT partition caught for that month move into it, so the attach never fails on them; an
-- advisory lock makes concurrent callers take turns. Callers: the API ahead of time, the ingest on
-- demand (packages/db/src/queries/usage-partitions.ts).
CREATE FUNCTION "usage_events_ensure_partition"(month_start date) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
	part text := 'usage_events_' || to_char(date_trunc('month', month_start), 'YYYY_MM');
	lo timestamptz := date_trunc('month', month_start)::timestamp AT TIME ZONE 'UTC';
	hi timestamptz := (date_trunc('month', month_start) + interval '1 month')::timestamp AT TIME ZONE 'UTC';
BEGIN
	IF to_regclass(format('public.%I', part)) IS NOT NULL THEN RETURN false; END IF;
	PERFORM pg_advisory_xact_lock(7346518290);
	-- Waiting on an advisory lock does not refresh this session's catalog cache, so the check after
	-- it reads pg_class, and a table another session made meanwhile is caught as duplicate_table.
	IF EXISTS (SELECT 1 FROM pg_class WHERE relname = part AND relnamespace = 'public'::regnamespace) THEN RETURN false; END IF;
	BEGIN
		EXECUTE format('CREATE TABLE public.%I (LIKE public.usage_events INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part);
	EXCEPTION WHEN duplicate_table THEN
		RETURN false;
	END;
	EXECUTE format('INSERT INTO public.%I SELECT * FROM public.usage_events_default WHERE occurred_at >= %L AND occurred_at < %L', part, lo, hi);
	DELETE FROM public.usage_events_default WHERE occurred_at >= lo AND occurred_at < hi;
	EXECUTE format('ALTER TABLE public.usage_events ATTACH PARTITION public.%I FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
	RETURN true;
END $$;
--> statement-breakpoint
SELECT "usage_events_ensure_partition"(m::date)
FROM (SELECT DISTINCT date_trunc('month', occurred_at AT TIME ZONE 'UTC') AS m FROM "usage_events_unpartitioned"
      UNION SELECT date_trunc('month', now() AT TIME ZONE 'UTC')) AS months;--> statement-breakpoint
INSERT INTO "usage_events" SELECT * FROM "usage_events_unpartitioned";--> statement-breakpoint
INSERT INTO "usage_event_ids" ("generation_id", "occurred_at") SELECT "generation_id", "occurred_at" FROM "usage_events_unpartitioned";--> statement-breakpoint
DROP TABLE "usage_events_unpartitioned";
