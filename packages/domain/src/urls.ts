// Why: a saved connection triggers org sync and receives a client's key only if it really points at
// OpenRouter. The decision is made on the parsed URL — protocol, credentials, host labels — never by
// looking for "openrouter.ai" somewhere in the string (`https://evil.example/openrouter.ai` is not
// OpenRouter). The simulator used in development and tests is admitted only when listed explicitly.

const OPENROUTER_HOST = "openrouter.ai";

// The WHATWG URL parser exists in every browser and in Node, but this package compiles with neither
// the DOM lib nor @types/node (so no I/O API is even nameable here). Declare just what is read.
interface ParsedUrl {
  readonly protocol: string;
  readonly username: string;
  readonly password: string;
  readonly host: string;
  readonly hostname: string;
  readonly origin: string;
  readonly pathname: string;
  readonly search: string;
  readonly hash: string;
}
declare const URL: new (url: string) => ParsedUrl;

export interface OpenRouterUrlOptions {
  /**
   * Extra upstreams (the simulator). An entry with "://" is an origin ("http://127.0.0.1:4010") and
   * is the only way plain http is accepted; an entry without is a host ("sim.example.test:8443"),
   * matched exactly against the URL's host, over https only.
   */
  extraHosts?: readonly string[];
}

function parse(url: string): ParsedUrl | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

function isOpenRouterHost(hostname: string): boolean {
  // One trailing dot is the fully qualified spelling of the same name.
  const host = (hostname.endsWith(".") ? hostname.slice(0, -1) : hostname).toLowerCase();
  if (host === OPENROUTER_HOST) return true;
  if (!host.endsWith(`.${OPENROUTER_HOST}`)) return false;
  // "a..openrouter.ai" and ".openrouter.ai" parse, but name no real subdomain.
  return host.split(".").every((label) => label !== "");
}

function matchesExtra(u: ParsedUrl, entry: string): boolean {
  const trimmed = entry.trim();
  if (trimmed === "") return false;
  if (trimmed.includes("://")) {
    const origin = parse(trimmed);
    // Only web origins: every non-http(s) URL has the opaque origin "null", and "null" === "null".
    if (!origin || (origin.protocol !== "http:" && origin.protocol !== "https:")) return false;
    return u.origin === origin.origin;
  }
  if (u.protocol !== "https:") return false;
  // Normalise the entry as a host the same way the URL's host was (case, default port, IDN), and
  // refuse entries that are more than a host, so "evil.example/x" cannot widen the match.
  const asUrl = parse(`https://${trimmed}`);
  if (!asUrl || asUrl.username !== "" || asUrl.password !== "") return false;
  if (asUrl.pathname !== "/" || asUrl.search !== "" || asUrl.hash !== "" || trimmed.includes("/"))
    return false;
  return asUrl.host === u.host;
}

export function isOpenRouterUrl(url: unknown, options?: OpenRouterUrlOptions): boolean {
  if (typeof url !== "string") return false;
  const u = parse(url.trim());
  if (!u) return false;
  // A URL carrying credentials is never a plain API base URL, and hides the real host from readers.
  if (u.username !== "" || u.password !== "") return false;
  if (u.protocol === "https:" && isOpenRouterHost(u.hostname)) return true;
  return (options?.extraHosts ?? []).some((entry) => typeof entry === "string" && matchesExtra(u, entry));
}
