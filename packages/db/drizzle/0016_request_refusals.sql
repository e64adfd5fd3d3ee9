CREATE TABLE "request_refusals" (
	"id" uuid PRIMARY KEY NOT NULL,
	"organization_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"reason" text NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"usage_date" date NOT NULL,
	CONSTRAINT "request_refusals_reason_check" CHECK ("request_refusals"."reason" in ('monthly_limit', 'organization_inactive'))
);
--> statement-breakpoint
ALTER TABLE "request_refusals" ADD CONSTRAINT "request_refusals_organization_id_client_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."client_organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "request_refusals_org_date_idx" ON "request_refusals" USING btree ("organization_id","usage_date");