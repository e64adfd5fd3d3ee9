import { bigint, index, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

// Who did what to which object. Never holds a key: writers pass masked hints only, and
// appendAudit() rejects anything that looks like a full key or token.
export const auditLog = pgTable(
  "audit_log",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    actorUserId: uuid("actor_user_id"),
    // user | system | proxy | cli
    actorKind: text("actor_kind").notNull(),
    action: text("action").notNull(),
    organizationId: uuid("organization_id"),
    targetType: text("target_type"),
    targetId: text("target_id"),
    before: jsonb("before").$type<Record<string, unknown>>(),
    after: jsonb("after").$type<Record<string, unknown>>(),
    details: jsonb("details").$type<Record<string, unknown>>(),
    ip: text("ip"),
  },
  (t) => [
    index("audit_log_org_id_idx").on(t.organizationId, t.id.desc()),
    index("audit_log_created_at_idx").on(t.createdAt),
  ],
);
