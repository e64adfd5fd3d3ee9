ALTER TABLE "usage_events" DROP CONSTRAINT "usage_events_organization_id_client_organizations_id_fk";
