CREATE TABLE "limit_leases" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"period" text NOT NULL,
	"owner" text NOT NULL,
	"granted_nano" bigint DEFAULT 0 NOT NULL,
	"recorded_nano" bigint DEFAULT 0 NOT NULL,
	"closed_nano" bigint,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"renewed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "limit_leases_nonneg" CHECK ("limit_leases"."granted_nano" >= 0 and "limit_leases"."recorded_nano" >= 0 and ("limit_leases"."closed_nano" is null or "limit_leases"."closed_nano" >= 0))
);
--> statement-breakpoint
CREATE TABLE "key_usage_checks" (
	"organization_id" uuid NOT NULL,
	"scope" text NOT NULL,
	"period_start" date NOT NULL,
	"key_fingerprint" text NOT NULL,
	"compared_from" timestamp with time zone NOT NULL,
	"openrouter_usage_nano" bigint NOT NULL,
	"carried_openrouter_nano" bigint DEFAULT 0 NOT NULL,
	"recorded_raw_nano" bigint NOT NULL,
	"unmetered_nano" bigint NOT NULL,
	"checked_at" timestamp with time zone NOT NULL,
	CONSTRAINT "key_usage_checks_organization_id_scope_period_start_pk" PRIMARY KEY("organization_id","scope","period_start"),
	CONSTRAINT "key_usage_checks_scope" CHECK ("key_usage_checks"."scope" in ('day', 'month'))
);
--> statement-breakpoint
CREATE TABLE "usage_adjustments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"period" text NOT NULL,
	"kind" text NOT NULL,
	"raw_cost_nano" bigint NOT NULL,
	"markup_bp" integer NOT NULL,
	"billed_cost_nano" bigint NOT NULL,
	"description" text NOT NULL,
	"details" jsonb,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "usage_adjustments_kind" CHECK ("usage_adjustments"."kind" in ('unmetered_usage')),
	CONSTRAINT "usage_adjustments_markup_min" CHECK ("usage_adjustments"."markup_bp" >= 10000)
);
--> statement-breakpoint
CREATE TABLE "key_retirements" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"openrouter_key_hash" text NOT NULL,
	"reason" text NOT NULL,
	"delete_after" timestamp with time zone NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"deleted_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reconciliation_attempts" (
	"generation_id" text PRIMARY KEY NOT NULL,
	"organization_id" uuid NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"first_failed_at" timestamp with time zone NOT NULL,
	"next_attempt_at" timestamp with time zone NOT NULL,
	"last_status" integer,
	"gave_up_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "client_organizations" ADD COLUMN "key_set_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "usage_period_counters" ADD COLUMN "refused_min_nano" bigint;--> statement-breakpoint
ALTER TABLE "limit_leases" ADD CONSTRAINT "limit_leases_organization_id_client_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."client_organizations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "key_usage_checks" ADD CONSTRAINT "key_usage_checks_organization_id_client_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."client_organizations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_adjustments" ADD CONSTRAINT "usage_adjustments_organization_id_client_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."client_organizations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_adjustments" ADD CONSTRAINT "usage_adjustments_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "key_retirements" ADD CONSTRAINT "key_retirements_organization_id_client_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."client_organizations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "limit_leases_org_period_idx" ON "limit_leases" USING btree ("organization_id","period");--> statement-breakpoint
CREATE INDEX "limit_leases_expires_at_idx" ON "limit_leases" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "usage_adjustments_org_period_idx" ON "usage_adjustments" USING btree ("organization_id","period");--> statement-breakpoint
CREATE UNIQUE INDEX "key_retirements_hash_key" ON "key_retirements" USING btree ("openrouter_key_hash");--> statement-breakpoint
CREATE INDEX "key_retirements_due_idx" ON "key_retirements" USING btree ("delete_after");--> statement-breakpoint
CREATE INDEX "reconciliation_attempts_next_idx" ON "reconciliation_attempts" USING btree ("next_attempt_at");--> statement-breakpoint
-- Keys set before this migration: from the organisation's creation (the earliest they can have been set).
UPDATE "client_organizations" SET "key_set_at" = "created_at" WHERE "key_ciphertext" IS NOT NULL;
