// The rows the usage page shows, as the API returns them, and how a user is named in them.
import type { RouterOutputs } from "../../session";

export type UserRow = RouterOutputs["usage"]["byUser"]["rows"][number];
export type ModelRow = RouterOutputs["usage"]["byModel"]["rows"][number];
export type UsageEvent = RouterOutputs["usage"]["events"]["items"][number];
export type EventStatus = UsageEvent["status"];

export const userLabel = (r: Pick<UserRow, "email" | "name" | "externalUserId">) =>
  r.email ?? r.name ?? r.externalUserId;
