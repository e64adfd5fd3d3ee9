// The mAI user an Open WebUI session acts as, once Open WebUI has said whose it is: found by Open
// WebUI id, then e-mail, or created on first sight (@mai/db findOrCreateOpenWebUiSessionUser).
// Every refusal is a sentence for the client and happens before the settings are touched.
import {
  findOrCreateOpenWebUiSessionUser,
  type AuthUser,
  type Database,
  type OpenWebUiSessionResolution,
} from "@mai/db";
import type { Env, OpenWebUiInstance } from "../../env";
import { HttpProblem } from "../../http";
import type { Logger } from "../../logger";
import type { OpenWebUiSessionUser } from "./session-lookup";

/**
 * The role a user first seen through Open WebUI gets: Open WebUI's `admin` makes a client
 * administrator unless MAI_OPENWEBUI_ADMIN_ROLE is `none` (one Open WebUI shared by many clients,
 * whose admins are the provider's staff); `user` a member (a client administrator when in
 * MAI_OPENWEBUI_ADMIN_GROUP, which actingUser asks Open WebUI about). `pending` — not yet approved by Open
 * WebUI's admin — and any role Open WebUI may add later are refused: null.
 */
export function roleForNewUser(
  openWebUiRole: string,
  adminRole: Env["MAI_OPENWEBUI_ADMIN_ROLE"],
): "org_admin" | "member" | null {
  switch (openWebUiRole) {
    case "admin":
      return adminRole === "admin" ? "org_admin" : "member";
    case "user":
      return "member";
    default:
      return null;
  }
}

const REFUSALS: Record<
  Exclude<OpenWebUiSessionResolution["status"], "found" | "linked" | "created" | "unknown">,
  string
> = {
  disabled: "This account is disabled in mAI.",
  provider:
    "This e-mail belongs to an mAI provider account, which cannot be used through an Open WebUI session; use the dashboard.",
  other_organization:
    "This Open WebUI account's e-mail belongs to an mAI user outside this Open WebUI's organisation; nothing was done.",
  organization_unavailable:
    "This Open WebUI's organisation does not exist in mAI or is deactivated; ask the provider.",
};

/** Whether Open WebUI's group `name` is MAI_OPENWEBUI_ADMIN_GROUP: case and surrounding spaces aside. */
export const isAdminGroup = (name: string, adminGroup: string) =>
  name.trim().localeCompare(adminGroup, undefined, { sensitivity: "accent" }) === 0;

/**
 * The mAI user `sessionUser` acts as. `readOnly` (a settings read, which has no side effects):
 * found only — nobody is linked or created, and null when nobody matches yet. `groupNames` asks
 * Open WebUI the session's groups; it is called only for a `user` about to be created while
 * MAI_OPENWEBUI_ADMIN_GROUP is set (a known user keeps their mAI role, as with Open WebUI's roles).
 */
export async function actingUser(
  input: {
    db: Database;
    env: Env;
    log: Logger;
    ip: string;
    readOnly: boolean;
    groupNames: () => Promise<readonly string[]>;
  },
  instance: OpenWebUiInstance,
  sessionUser: OpenWebUiSessionUser,
): Promise<{ user: AuthUser; status: "found" | "linked" | "created" } | null> {
  if (sessionUser.role === "pending") {
    throw new HttpProblem(
      403,
      "Your Open WebUI account is awaiting approval by its administrator; nothing was saved in mAI.",
    );
  }
  let role = roleForNewUser(sessionUser.role, input.env.MAI_OPENWEBUI_ADMIN_ROLE);
  if (!role) {
    throw new HttpProblem(
      403,
      "Open WebUI gave this account a role mAI does not know; nothing was saved in mAI.",
    );
  }
  const identity = {
    id: sessionUser.id,
    email: sessionUser.email,
    name: sessionUser.name,
    openWebUiRole: sessionUser.role,
  };
  const options = { instance: instance.name, organizationId: instance.organizationId, ip: input.ip };
  const adminGroup = input.env.MAI_OPENWEBUI_ADMIN_GROUP;
  let viaGroup: string | undefined;
  // Only a `user`'s groups count: to an Open WebUI admin, its groups endpoint lists every group.
  if (adminGroup && sessionUser.role === "user" && !input.readOnly) {
    const probe = await findOrCreateOpenWebUiSessionUser(input.db, identity, {
      ...options,
      roleForNewUser: role,
      readOnly: true,
    });
    if (
      probe.status === "unknown" &&
      (await input.groupNames()).some((name) => isAdminGroup(name, adminGroup))
    ) {
      role = "org_admin";
      viaGroup = adminGroup;
    }
  }
  const resolution = await findOrCreateOpenWebUiSessionUser(
    input.db,
    { ...identity, ...(viaGroup ? { adminGroup: viaGroup } : {}) },
    { ...options, roleForNewUser: role, readOnly: input.readOnly },
  );
  if (resolution.status === "unknown") return null;
  if (!("user" in resolution)) {
    input.log.warn({ instance: instance.name, resolution: resolution.status }, "open webui session refused");
    throw new HttpProblem(403, REFUSALS[resolution.status]);
  }
  if (resolution.status !== "found") {
    input.log.info(
      {
        instance: instance.name,
        userId: resolution.user.id,
        role: resolution.user.role,
        organizationId: resolution.user.organizationId,
        resolution: resolution.status,
        ...(resolution.status === "created" && viaGroup ? { openWebUiGroup: viaGroup } : {}),
      },
      resolution.status === "created"
        ? "user created from an open webui session"
        : "open webui id recorded on a user",
    );
  }
  return { user: resolution.user, status: resolution.status };
}
