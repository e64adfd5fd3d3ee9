CREATE TYPE "public"."key_source" AS ENUM('provisioned', 'client');--> statement-breakpoint
CREATE TYPE "public"."user_role" AS ENUM('provider_admin', 'org_admin', 'member');--> statement-breakpoint
CREATE TYPE "public"."usage_status" AS ENUM('ok', 'error', 'aborted', 'incomplete');--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"name" text DEFAULT '' NOT NULL,
	"role" "user_role" DEFAULT 'member' NOT NULL,
	"password_hash" text,
	"openwebui_user_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"disabled_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"user_agent" text,
	"ip" text
);
--> statement-breakpoint
CREATE TABLE "api_tokens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"name" text NOT NULL,
	"prefix" text NOT NULL,
	"token_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"expires_at" timestamp with time zone,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "user_settings" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "global_settings" (
	"id" smallint PRIMARY KEY DEFAULT 1 NOT NULL,
	"provisioning_key_ciphertext" text,
	"provisioning_key_hint" text,
	"default_markup_bp" integer DEFAULT 13000 NOT NULL,
	"default_monthly_limit_nano" bigint DEFAULT 1000000000000 NOT NULL,
	"currency" text DEFAULT 'USD' NOT NULL,
	"billing_time_zone" text DEFAULT 'UTC' NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid,
	CONSTRAINT "global_settings_singleton" CHECK ("global_settings"."id" = 1),
	CONSTRAINT "global_settings_markup_min" CHECK ("global_settings"."default_markup_bp" >= 10000),
	CONSTRAINT "global_settings_limit_nonneg" CHECK ("global_settings"."default_monthly_limit_nano" >= 0)
);
--> statement-breakpoint
CREATE TABLE "client_organizations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"billing_email" text,
	"markup_bp" integer NOT NULL,
	"monthly_limit_nano" bigint NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"key_ciphertext" text,
	"key_fingerprint" text,
	"key_hint" text,
	"key_source" "key_source",
	"openrouter_key_hash" text,
	"allowed_models" text[],
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deactivated_at" timestamp with time zone,
	CONSTRAINT "client_organizations_markup_min" CHECK ("client_organizations"."markup_bp" >= 10000),
	CONSTRAINT "client_organizations_limit_nonneg" CHECK ("client_organizations"."monthly_limit_nano" >= 0),
	CONSTRAINT "client_organizations_key_complete" CHECK (("client_organizations"."key_ciphertext" is null) = ("client_organizations"."key_fingerprint" is null) and ("client_organizations"."key_ciphertext" is null) = ("client_organizations"."key_hint" is null))
);
--> statement-breakpoint
CREATE TABLE "user_client_mapping" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"organization_id" uuid NOT NULL,
	"external_user_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "usage_events" (
	"generation_id" text PRIMARY KEY NOT NULL,
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
	CONSTRAINT "usage_events_costs_nonneg" CHECK ("usage_events"."raw_cost_nano" >= 0 and "usage_events"."billed_cost_nano" >= 0)
);
--> statement-breakpoint
CREATE TABLE "usage_daily" (
	"organization_id" uuid NOT NULL,
	"usage_date" date NOT NULL,
	"user_id" uuid NOT NULL,
	"model" text NOT NULL,
	"requests" integer DEFAULT 0 NOT NULL,
	"error_requests" integer DEFAULT 0 NOT NULL,
	"prompt_tokens" bigint DEFAULT 0 NOT NULL,
	"completion_tokens" bigint DEFAULT 0 NOT NULL,
	"reasoning_tokens" bigint DEFAULT 0 NOT NULL,
	"cached_tokens" bigint DEFAULT 0 NOT NULL,
	"raw_cost_nano" bigint DEFAULT 0 NOT NULL,
	"billed_cost_nano" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "usage_daily_organization_id_usage_date_user_id_model_pk" PRIMARY KEY("organization_id","usage_date","user_id","model")
);
--> statement-breakpoint
CREATE TABLE "usage_period_counters" (
	"organization_id" uuid NOT NULL,
	"period" text NOT NULL,
	"spent_nano" bigint DEFAULT 0 NOT NULL,
	"raw_spent_nano" bigint DEFAULT 0 NOT NULL,
	"reserved_nano" bigint DEFAULT 0 NOT NULL,
	"requests" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "usage_period_counters_organization_id_period_pk" PRIMARY KEY("organization_id","period"),
	CONSTRAINT "usage_period_counters_nonneg" CHECK ("usage_period_counters"."spent_nano" >= 0 and "usage_period_counters"."reserved_nano" >= 0)
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audit_log_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_user_id" uuid,
	"actor_kind" text NOT NULL,
	"action" text NOT NULL,
	"organization_id" uuid,
	"target_type" text,
	"target_id" text,
	"before" jsonb,
	"after" jsonb,
	"details" jsonb,
	"ip" text
);
--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_settings" ADD CONSTRAINT "user_settings_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_client_mapping" ADD CONSTRAINT "user_client_mapping_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_client_mapping" ADD CONSTRAINT "user_client_mapping_organization_id_client_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."client_organizations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_events" ADD CONSTRAINT "usage_events_organization_id_client_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."client_organizations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_daily" ADD CONSTRAINT "usage_daily_organization_id_client_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."client_organizations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "usage_period_counters" ADD CONSTRAINT "usage_period_counters_organization_id_client_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."client_organizations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_key" ON "users" USING btree ("email");--> statement-breakpoint
CREATE UNIQUE INDEX "users_openwebui_user_id_key" ON "users" USING btree ("openwebui_user_id") WHERE "users"."openwebui_user_id" is not null;--> statement-breakpoint
CREATE INDEX "sessions_user_id_idx" ON "sessions" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "api_tokens_token_hash_key" ON "api_tokens" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "api_tokens_user_id_idx" ON "api_tokens" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "client_organizations_name_key" ON "client_organizations" USING btree ("name");--> statement-breakpoint
CREATE UNIQUE INDEX "client_organizations_key_fingerprint_key" ON "client_organizations" USING btree ("key_fingerprint");--> statement-breakpoint
CREATE UNIQUE INDEX "user_client_mapping_external_user_id_key" ON "user_client_mapping" USING btree ("external_user_id");--> statement-breakpoint
CREATE INDEX "user_client_mapping_organization_id_idx" ON "user_client_mapping" USING btree ("organization_id");--> statement-breakpoint
CREATE INDEX "usage_events_org_occurred_idx" ON "usage_events" USING btree ("organization_id","occurred_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "usage_events_org_user_occurred_idx" ON "usage_events" USING btree ("organization_id","user_id","occurred_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "usage_events_user_occurred_idx" ON "usage_events" USING btree ("user_id","occurred_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "usage_events_org_period_idx" ON "usage_events" USING btree ("organization_id","period");--> statement-breakpoint
CREATE INDEX "audit_log_org_id_idx" ON "audit_log" USING btree ("organization_id","id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "audit_log_created_at_idx" ON "audit_log" USING btree ("created_at");