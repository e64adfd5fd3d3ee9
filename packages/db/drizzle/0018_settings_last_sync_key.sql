ALTER TABLE "user_settings" ADD COLUMN "last_sync_message_key" text;--> statement-breakpoint
ALTER TABLE "user_settings" ADD COLUMN "last_sync_message_params" jsonb;