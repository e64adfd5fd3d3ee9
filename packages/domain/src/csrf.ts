// Why: a browser attaches the dashboard's session cookie to requests that other pages make — a
// sibling subdomain (same site: SameSite=Lax does not stop it) or any site submitting a form. Such a
// page can send forms (urlencoded, multipart) and text/plain, but never application/json without
// the server's CORS consent (which the API never gives), and it cannot hide its Origin. So a request
// with side effects is admitted only as JSON from the dashboard's own origin. Requests authenticated
// by a header a browser never attaches on its own (Authorization: Bearer, the internal token) and
// carrying no session cookie cannot be forged this way and are left alone. Requests with no
// credential at all are checked too: signing in sets a cookie (login CSRF would sign a victim into
// an attacker's account, where they would then save their OpenRouter key).

// The WHATWG URL parser exists in every browser and in Node; this package declares only what it reads.
interface ParsedUrl {
  readonly protocol: string;
  readonly origin: string;
}
declare const URL: new (url: string) => ParsedUrl;

export interface CsrfRequest {
  /** The HTTP method; GET and HEAD have no side effects and are never refused. */
  method: string;
  contentType: string | undefined;
  origin: string | undefined;
  secFetchSite: string | undefined;
  /** The dashboard's own origins (`dashboardOrigins`). */
  allowedOrigins: readonly string[];
  /** The request carries the dashboard's session cookie. */
  hasSessionCookie: boolean;
  /** The request carries `Authorization: Bearer …` or the internal token header. */
  hasHeaderCredential: boolean;
}

export interface CsrfProblem {
  status: 403 | 415;
  message: string;
}

const SAFE_METHODS = new Set(["GET", "HEAD"]);
const ACCEPTED = "Requests with side effects are accepted only from the dashboard's own pages, or with an API token (Authorization: Bearer).";

/** A client-supplied header value fit to quote in a message. */
const quote = (value: string) => JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);

/** `type/subtype` of a Content-Type, lower case, without parameters. */
function mediaType(contentType: string): string {
  return (contentType.split(";", 1)[0] ?? "").trim().toLowerCase();
}

/**
 * Why a request must be refused as a possible cross-site request forgery, or null when it may go
 * on. The Origin is judged first (a foreign form is refused as foreign), then the content type.
 */
export function csrfProblem(req: CsrfRequest): CsrfProblem | null {
  if (SAFE_METHODS.has(req.method.toUpperCase())) return null;
  if (!req.hasSessionCookie && req.hasHeaderCredential) return null;

  if (req.origin !== undefined) {
    if (!req.allowedOrigins.includes(req.origin.trim().toLowerCase())) {
      const ours = req.allowedOrigins.length > 0 ? req.allowedOrigins.join(" or ") : "none known: the request names no Host";
      return { status: 403, message: `This request comes from ${quote(req.origin)}, not from the dashboard (${ours}). ${ACCEPTED}` };
    }
  } else if (req.secFetchSite?.toLowerCase() !== "same-origin") {
    const marked = req.secFetchSite === undefined ? "" : ` and the browser marked it ${quote(req.secFetchSite)}`;
    return { status: 403, message: `This request does not say where it comes from (no Origin header)${marked}. ${ACCEPTED}` };
  }

  if (req.contentType === undefined || mediaType(req.contentType) !== "application/json") {
    const sent = req.contentType === undefined ? "no Content-Type" : `Content-Type ${quote(req.contentType)}`;
    return {
      status: 415,
      message: `Requests with side effects must be sent as JSON (Content-Type: application/json), not with ${sent}: other sites can send forms and plain text through a signed-in browser, never JSON.`,
    };
  }
  return null;
}

/**
 * The dashboard's own origins: the origin of its public URL when one is configured; otherwise the
 * request's own Host, over http or https (TLS may end at a proxy in front). A missing or malformed
 * Host allows none.
 */
export function dashboardOrigins(input: { publicUrl: string | undefined; host: string | undefined }): string[] {
  if (input.publicUrl) {
    try {
      return [new URL(input.publicUrl).origin];
    } catch {
      return [];
    }
  }
  const host = input.host?.trim();
  // A Host is a name or address and an optional port: nothing that could widen it into a URL.
  if (!host || !/^[a-z0-9.\-_[\]:]+$/i.test(host)) return [];
  try {
    return ["http", "https"].map((scheme) => new URL(`${scheme}://${host}`).origin);
  } catch {
    return [];
  }
}
