// The built dashboard (apps/admin/dist) on the API's own origin, so the session cookie needs no
// CORS: hashed assets are cached for a year, index.html never (a deploy takes effect on reload),
// every other path without a file gets index.html (the SPA's router decides). Security headers
// forbid framing and foreign scripts; the SPA talks only to its own origin.
//
// index.html carries the deployment's public proxy URL (MAI_PROXY_PUBLIC_URL) in
// <meta name="mai-proxy-url">, so the dashboard can tell users what to paste into a chat client.
import { existsSync, readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname } from "node:path";
import sirv from "sirv";
import { ADMIN_DIST as DEFAULT_DIST } from "./paths";

const SECURITY_HEADERS: Record<string, string> = {
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "same-origin",
};

type StaticHandler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

const escapeAttribute = (value: string) => value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");

/** The dashboard handler, or null when there is no build to serve (`configured` "" disables it). */
export function createAdminStatic(configured: string | undefined, options: { proxyPublicUrl?: string } = {}): { handler: StaticHandler; dir: string } | null {
  if (configured === "") return null;
  const dir = configured ?? DEFAULT_DIST;
  if (!existsSync(`${dir}/index.html`)) return null;
  const meta = `<meta name="mai-proxy-url" content="${escapeAttribute(options.proxyPublicUrl ?? "")}" />`;
  const html = readFileSync(`${dir}/index.html`, "utf8").replace("</head>", `  ${meta}\n  </head>`);
  const index = Buffer.from(html);
  const assets = sirv(dir, {
    dev: false,
    etag: true,
    setHeaders(res, pathname) {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
      res.setHeader("cache-control", pathname.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache");
    },
  });
  const sendIndex = (req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { ...SECURITY_HEADERS, "content-type": "text/html; charset=utf-8", "content-length": index.length, "cache-control": "no-cache" });
    res.end(req.method === "HEAD" ? undefined : index);
  };
  return {
    dir,
    handler(req, res, next) {
      const pathname = new URL(req.url ?? "/", "http://localhost").pathname;
      if (pathname === "/" || pathname === "/index.html") return sendIndex(req, res);
      // A file of the build, else: a page path (no extension) is the SPA's; a missing asset is a 404.
      assets(req, res, () => (extname(pathname) === "" ? sendIndex(req, res) : next()));
    },
  };
}
