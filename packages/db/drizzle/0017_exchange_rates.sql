CREATE TABLE "exchange_rates" (
	"currency" text NOT NULL,
	"effective_date" date NOT NULL,
	"rate" numeric(18, 10) NOT NULL,
	"source" text NOT NULL,
	"table_no" text,
	"entered_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "exchange_rates_pkey" PRIMARY KEY("currency","effective_date"),
	CONSTRAINT "exchange_rates_currency_code" CHECK ("exchange_rates"."currency" ~ '^[A-Z]{3}$'),
	CONSTRAINT "exchange_rates_rate_positive" CHECK ("exchange_rates"."rate" > 0),
	CONSTRAINT "exchange_rates_source" CHECK ("exchange_rates"."source" in ('nbp', 'provider'))
);
--> statement-breakpoint
ALTER TABLE "client_organizations" ADD COLUMN "currency" text;--> statement-breakpoint
ALTER TABLE "client_organizations" ADD CONSTRAINT "client_organizations_currency_code" CHECK ("client_organizations"."currency" ~ '^[A-Z]{3}$');