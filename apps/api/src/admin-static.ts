// The built dashboard (apps/admin/dist) on the API's own origin, so the session cookie needs no
// CORS: hashed assets are cached for a year, index.html never (a deploy takes effect on reload),
// every other path without a file falls back to index.html (the SPA's router decides). Security
// headers forbid framing and foreign scripts; the SPA talks only to its own origin.
import { existsSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { fileURLToPath } from "node:url";
import sirv from "sirv";

const DEFAULT_DIST = fileURLToPath(new URL("../../admin/dist", import.meta.url));

const SECURITY_HEADERS: Record<string, string> = {
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "same-origin",
};

export type StaticHandler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

/** The dashboard handler, or null when there is no build to serve (`configured` "" disables it). */
export function createAdminStatic(configured: string | undefined): { handler: StaticHandler; dir: string } | null {
  if (configured === "") return null;
  const dir = configured ?? DEFAULT_DIST;
  if (!existsSync(`${dir}/index.html`)) return null;
  const serve = sirv(dir, {
    single: true,
    dev: false,
    etag: true,
    setHeaders(res, pathname) {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
      res.setHeader("cache-control", pathname.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache");
    },
  });
  return { handler: serve, dir };
}
