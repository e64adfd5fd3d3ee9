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
 * whose admins are the provider's staff); `user` a member. `pending` — not yet approved by Open
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

/**
 * The mAI user `sessionUser` acts as. `readOnly` (a settings read, which has no side effects):
 * found only — nobody is linked or created, and null when nobody matches yet.
 */
export async function actingUser(
  input: { db: Database; env: Env; log: Logger; ip: string; readOnly: boolean },
  instance: OpenWebUiInstance,
  sessionUser: OpenWebUiSessionUser,
): Promise<{ user: AuthUser; status: "found" | "linked" | "created" } | null> {
  if (sessionUser.role === "pending") {
    throw new HttpProblem(
      403,
      "Your Open WebUI account is awaiting approval by its administrator; nothing was saved in mAI.",
    );
  }
  const role = roleForNewUser(sessionUser.role, input.env.MAI_OPENWEBUI_ADMIN_ROLE);
  if (!role) {
    throw new HttpProblem(
      403,
      "Open WebUI gave this account a role mAI does not know; nothing was saved in mAI.",
    );
  }
  const resolution = await findOrCreateOpenWebUiSessionUser(
    input.db,
    { id: sessionUser.id, email: sessionUser.email, name: sessionUser.name, openWebUiRole: sessionUser.role },
    {
      instance: instance.name,
      organizationId: instance.organizationId,
      roleForNewUser: role,
      readOnly: input.readOnly,
      ip: input.ip,
    },
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
      },
      resolution.status === "created"
        ? "user created from an open webui session"
        : "open webui id recorded on a user",
    );
  }
  return { user: resolution.user, status: resolution.status };
}
