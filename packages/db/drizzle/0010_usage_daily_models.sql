CREATE TABLE "usage_daily_models" (
	"organization_id" uuid NOT NULL,
	"usage_date" date NOT NULL,
	"model" text NOT NULL,
	"requests" integer DEFAULT 0 NOT NULL,
	"error_requests" integer DEFAULT 0 NOT NULL,
	"prompt_tokens" bigint DEFAULT 0 NOT NULL,
	"completion_tokens" bigint DEFAULT 0 NOT NULL,
	"reasoning_tokens" bigint DEFAULT 0 NOT NULL,
	"cached_tokens" bigint DEFAULT 0 NOT NULL,
	"raw_cost_nano" bigint DEFAULT 0 NOT NULL,
	"billed_cost_nano" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "usage_daily_models_organization_id_usage_date_model_pk" PRIMARY KEY("organization_id","usage_date","model")
);
--> statement-breakpoint
ALTER TABLE "usage_daily_models" ADD CONSTRAINT "usage_daily_models_organization_id_client_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."client_organizations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
-- Filled from usage_daily, which equals the events: the new rollup starts equal to them too.
INSERT INTO "usage_daily_models" ("organization_id", "usage_date", "model", "requests", "error_requests", "prompt_tokens",
	"completion_tokens", "reasoning_tokens", "cached_tokens", "raw_cost_nano", "billed_cost_nano")
SELECT "organization_id", "usage_date", "model", sum("requests"), sum("error_requests"), sum("prompt_tokens"),
	sum("completion_tokens"), sum("reasoning_tokens"), sum("cached_tokens"), sum("raw_cost_nano"), sum("billed_cost_nano")
FROM "usage_daily" GROUP BY "organization_id", "usage_date", "model";
