// What an Open WebUI settings request holds, read from its headers before anything else runs: is
// it Open WebUI's own session (its JWT as Bearer, or its `token` cookie), which Open WebUI
// instance vouches for it, and may a browser have been made to send it (CSRF).
import type { IncomingMessage } from "node:http";
import { parseCookie } from "cookie";
import { csrfProblem, dashboardOrigins, looksLikeApiToken, parseBearer } from "@mai/domain";
import type { Env, OpenWebUiInstance } from "../../env";
import { HttpProblem } from "../../http";
import { safeEqual } from "../auth/tokens";

/** Set by the reverse proxy in front of an Open WebUI: which instance the request went to. */
export const INSTANCE_HEADER = "x-mai-openwebui-instance";
/** Set by the same reverse proxy: MAI_OPENWEBUI_MIRROR_TOKEN, without which the header above means nothing. */
export const MIRROR_TOKEN_HEADER = "x-mai-openwebui-mirror-token";
/** Open WebUI's session cookie (HttpOnly, SameSite=Lax), set by its sign-in. */
export const OPENWEBUI_COOKIE = "token";

export interface OpenWebUiCredential {
  credential: string;
  /** Where it was found: a header a page cannot forge, or a cookie the browser attaches by itself. */
  from: "bearer" | "cookie";
}

const header = (req: IncomingMessage, name: string) => {
  const value = req.headers[name];
  return typeof value === "string" ? value : undefined;
};

/** Whether Open WebUI sessions are accepted at all (MAI_OPENWEBUI_URL or MAI_OPENWEBUI_INSTANCES). */
export const openWebUiSessionsEnabled = (env: Env) =>
  env.MAI_OPENWEBUI_URL !== undefined || env.MAI_OPENWEBUI_INSTANCES.length > 0;

/**
 * The Open WebUI credential of this request, or null when it holds one of ours (or nothing) — the
 * same order as Open WebUI's own: Bearer first, then the cookie. A `mai_` Bearer is our token and
 * the `mai_session` cookie our dashboard's: both keep their meaning, and a dashboard session wins
 * over Open WebUI's cookie on the same host.
 */
export function openWebUiCredential(
  req: IncomingMessage,
  sessionCookie: string | undefined,
): OpenWebUiCredential | null {
  const bearer = parseBearer(req.headers.authorization);
  if (bearer) return looksLikeApiToken(bearer) ? null : { credential: bearer, from: "bearer" };
  if (sessionCookie !== undefined) return null;
  const cookie = req.headers.cookie ? parseCookie(req.headers.cookie)[OPENWEBUI_COOKIE] : undefined;
  return cookie ? { credential: cookie, from: "cookie" } : null;
}

/** Whether the request carries the reverse proxy's mirror token; a wrong one is refused in words. */
export function hasMirrorToken(req: IncomingMessage, env: Env): boolean {
  const sent = header(req, MIRROR_TOKEN_HEADER);
  if (sent === undefined) return false;
  if (env.MAI_OPENWEBUI_MIRROR_TOKEN === undefined || !safeEqual(sent, env.MAI_OPENWEBUI_MIRROR_TOKEN)) {
    throw new HttpProblem(
      403,
      `The ${MIRROR_TOKEN_HEADER} header does not match MAI_OPENWEBUI_MIRROR_TOKEN; the request was not acted on.`,
    );
  }
  return true;
}

/**
 * The Open WebUI to ask. The instance header is the reverse proxy's word, and any client can send
 * a header: it counts only beside the mirror token (compared in constant time), and is refused in
 * words without it — falling back to MAI_OPENWEBUI_URL would ask the wrong Open WebUI.
 */
export function chooseInstance(req: IncomingMessage, env: Env, mirrored: boolean): OpenWebUiInstance {
  const named = header(req, INSTANCE_HEADER)?.trim().toLowerCase();
  if (named === undefined || named === "") {
    if (env.MAI_OPENWEBUI_URL)
      return { name: "default", url: env.MAI_OPENWEBUI_URL.replace(/\/+$/, ""), organizationId: null };
    throw new HttpProblem(
      401,
      `This Open WebUI session names no instance: set MAI_OPENWEBUI_URL, or have the reverse proxy send ${INSTANCE_HEADER} with the mirror token.`,
    );
  }
  if (!mirrored) {
    throw new HttpProblem(
      403,
      `The ${INSTANCE_HEADER} header is honoured only together with ${MIRROR_TOKEN_HEADER} (the reverse proxy's secret); the request was not acted on.`,
    );
  }
  const instance = env.MAI_OPENWEBUI_INSTANCES.find((i) => i.name === named);
  if (!instance) {
    const shown = /^[a-z0-9_-]{1,63}$/.test(named) ? ` ${named}` : "";
    throw new HttpProblem(
      400,
      `Unknown Open WebUI instance${shown}: MAI_OPENWEBUI_INSTANCES does not name it.`,
    );
  }
  return instance;
}

/**
 * Cross-site request forgery with Open WebUI's cookie: a page can make a browser send it, as it can
 * our own session cookie, so a save that holds only the cookie must be JSON from the page's own
 * origin (the rule of `csrfProblem`). That origin is the dashboard's or the request's Host; a
 * mirrored request (mirror token) went to Open WebUI's host, which the reverse proxy names in
 * X-Forwarded-Host (believed only beside the token). A Bearer JWT is a header a page cannot attach.
 */
export function refuseForgedOpenWebUiRequest(
  req: IncomingMessage,
  env: Env,
  held: OpenWebUiCredential,
  mirrored: boolean,
): void {
  const host = header(req, "host");
  const forwardedHost = mirrored ? header(req, "x-forwarded-host")?.split(",")[0]?.trim() : undefined;
  const allowedOrigins = [
    ...dashboardOrigins({ publicUrl: env.MAI_PUBLIC_URL, host }),
    ...dashboardOrigins({ publicUrl: undefined, host }),
    ...(forwardedHost ? dashboardOrigins({ publicUrl: undefined, host: forwardedHost }) : []),
  ];
  const problem = csrfProblem({
    method: req.method ?? "GET",
    contentType: header(req, "content-type"),
    origin: header(req, "origin"),
    secFetchSite: header(req, "sec-fetch-site"),
    allowedOrigins,
    hasSessionCookie: held.from === "cookie",
    hasHeaderCredential: held.from === "bearer",
  });
  if (problem) throw new HttpProblem(problem.status, problem.message);
}
