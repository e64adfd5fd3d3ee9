CREATE TABLE "alert_deliveries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"alert_id" uuid NOT NULL,
	"organization_id" uuid NOT NULL,
	"channel" text NOT NULL,
	"recipient" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "alert_delivery_attempts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"delivery_id" uuid NOT NULL,
	"organization_id" uuid NOT NULL,
	"channel" text NOT NULL,
	"recipient" text NOT NULL,
	"attempt" integer NOT NULL,
	"outcome" text NOT NULL,
	"status_code" integer,
	"error" text,
	"next_retry_at" timestamp with time zone,
	"attempted_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "alert_settings" (
	"organization_id" uuid PRIMARY KEY NOT NULL,
	"thresholds" integer[] DEFAULT '{80,100}'::integer[] NOT NULL,
	"email_enabled" boolean DEFAULT true NOT NULL,
	"webhook_url" text,
	"webhook_secret_ciphertext" text,
	"updated_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "alert_settings_thresholds_size" CHECK (cardinality("alert_settings"."thresholds") between 1 and 5),
	CONSTRAINT "alert_settings_webhook_signed" CHECK ("alert_settings"."webhook_url" is null or "alert_settings"."webhook_secret_ciphertext" is not null)
);
--> statement-breakpoint
CREATE TABLE "limit_alerts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"period" text NOT NULL,
	"threshold_percent" integer NOT NULL,
	"reason" text NOT NULL,
	"spent_nano" bigint NOT NULL,
	"limit_nano" bigint NOT NULL,
	"fired_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "alert_deliveries" ADD CONSTRAINT "alert_deliveries_alert_id_limit_alerts_id_fk" FOREIGN KEY ("alert_id") REFERENCES "public"."limit_alerts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_deliveries" ADD CONSTRAINT "alert_deliveries_organization_id_client_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."client_organizations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_delivery_attempts" ADD CONSTRAINT "alert_delivery_attempts_delivery_id_alert_deliveries_id_fk" FOREIGN KEY ("delivery_id") REFERENCES "public"."alert_deliveries"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_delivery_attempts" ADD CONSTRAINT "alert_delivery_attempts_organization_id_client_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."client_organizations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_settings" ADD CONSTRAINT "alert_settings_organization_id_client_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."client_organizations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_settings" ADD CONSTRAINT "alert_settings_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "limit_alerts" ADD CONSTRAINT "limit_alerts_organization_id_client_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."client_organizations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "alert_deliveries_recipient_key" ON "alert_deliveries" USING btree ("alert_id","channel","recipient");--> statement-breakpoint
CREATE INDEX "alert_deliveries_due_idx" ON "alert_deliveries" USING btree ("next_attempt_at") WHERE "alert_deliveries"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "alert_delivery_attempts_org_idx" ON "alert_delivery_attempts" USING btree ("organization_id","attempted_at");--> statement-breakpoint
CREATE INDEX "alert_delivery_attempts_at_idx" ON "alert_delivery_attempts" USING btree ("attempted_at");--> statement-breakpoint
CREATE UNIQUE INDEX "limit_alerts_once_key" ON "limit_alerts" USING btree ("organization_id","period","threshold_percent");--> statement-breakpoint
CREATE INDEX "limit_alerts_fired_idx" ON "limit_alerts" USING btree ("organization_id","fired_at");