CREATE TYPE "public"."settings_channel" AS ENUM('openwebui', 'dashboard', 'token', 'cli');--> statement-breakpoint
CREATE TYPE "public"."settings_sync_status" AS ENUM('created', 'updated', 'unchanged', 'claimed', 'skipped', 'failed');--> statement-breakpoint
ALTER TABLE "user_settings" ADD COLUMN "last_sync_status" "settings_sync_status";--> statement-breakpoint
ALTER TABLE "user_settings" ADD COLUMN "last_sync_message" text;--> statement-breakpoint
ALTER TABLE "user_settings" ADD COLUMN "last_sync_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "user_settings" ADD COLUMN "last_sync_organization_id" uuid;--> statement-breakpoint
ALTER TABLE "user_settings" ADD COLUMN "last_sync_channel" "settings_channel";--> statement-breakpoint
ALTER TABLE "user_settings" ADD COLUMN "last_sync_key_hint" text;--> statement-breakpoint
ALTER TABLE "user_settings" ADD CONSTRAINT "user_settings_last_sync_organization_id_client_organizations_id_fk" FOREIGN KEY ("last_sync_organization_id") REFERENCES "public"."client_organizations"("id") ON DELETE set null ON UPDATE no action;