CREATE TABLE "usage_monthly" (
	"organization_id" uuid NOT NULL,
	"period" text NOT NULL,
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
	CONSTRAINT "usage_monthly_organization_id_period_user_id_model_pk" PRIMARY KEY("organization_id","period","user_id","model")
);
--> statement-breakpoint
ALTER TABLE "usage_monthly" ADD CONSTRAINT "usage_monthly_organization_id_client_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."client_organizations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
-- Filled from usage_daily, which equals the events: a period is the month of its local days.
INSERT INTO "usage_monthly" ("organization_id", "period", "user_id", "model", "requests", "error_requests", "prompt_tokens",
	"completion_tokens", "reasoning_tokens", "cached_tokens", "raw_cost_nano", "billed_cost_nano")
SELECT "organization_id", to_char("usage_date", 'YYYY-MM'), "user_id", "model", sum("requests"), sum("error_requests"), sum("prompt_tokens"),
	sum("completion_tokens"), sum("reasoning_tokens"), sum("cached_tokens"), sum("raw_cost_nano"), sum("billed_cost_nano")
FROM "usage_daily" GROUP BY "organization_id", to_char("usage_date", 'YYYY-MM'), "user_id", "model";
