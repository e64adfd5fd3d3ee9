// Why: the chat client saves its settings as Open WebUI does — `ui` replaced as a whole — and our
// reads return keys masked. A client that re-saves what it read would send masks back; those must
// keep the stored keys, never overwrite them with the mask.

import { z } from "zod";

import { directConnectionsSchema } from "./connections";
import { firstNonJsonValue } from "./input-bounds";
import { maskKey } from "./keys";

/** The body of `settings.update` (and Open WebUI's `/users/user/settings/update`). */
export const settingsUpdateSchema = z.object({
  // Stored as jsonb and handed back to Open WebUI: plain JSON only.
  ui: z.looseObject({ directConnections: directConnectionsSchema.optional() }).superRefine((ui, ctx) => {
    const path = firstNonJsonValue(ui);
    if (path) ctx.addIssue({ code: "custom", path: path.split("."), message: "Settings hold plain JSON only (no bigint, date, NaN or Infinity)." });
  }),
});
export type SettingsUpdate = z.infer<typeof settingsUpdateSchema>;

/** A masked key as produced by maskKey: it always contains the ellipsis. */
export function isMaskedKey(value: string): boolean {
  return value.includes("…");
}

/**
 * Replaces each masked entry of `incoming` by the stored key it masks (the same index first, then
 * any stored key with that mask). A mask that matches no stored key becomes "" (an unknown mask is
 * not a key and must not be saved as one).
 */
export function restoreMaskedKeys(incoming: readonly string[], stored: readonly string[]): string[] {
  return incoming.map((value, index) => {
    if (!isMaskedKey(value)) return value;
    const same = stored[index];
    if (same !== undefined && same !== "" && maskKey(same) === value) return same;
    return stored.find((key) => key !== "" && maskKey(key) === value) ?? "";
  });
}
