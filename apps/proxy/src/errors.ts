// Every error the proxy answers is OpenAI-shaped: { error: { message, type, code } }, so OpenAI
// SDKs and Open WebUI show it properly. A spent monthly limit is 402 (the client must not retry),
// never 429 (which clients retry).
//
// A client's mistake is a 4xx that says in words what to change. A 5xx is our (or OpenRouter's)
// failure: its body is a fixed sentence plus the request id, never an exception's or a library's
// message (they carry stack frames, SQL parameters, upstream details) — the id leads an operator
// to the log line that has the details.
import type { ServerResponse } from "node:http";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server";
import { apiErrorCode } from "./api-client";

export interface ProxyError {
  status: number;
  message: string;
  type: string;
  code: string;
  retryAfter?: string | undefined;
}

const proxyError = (status: number, type: string, code: string, message: string, retryAfter?: string): ProxyError => ({
  status,
  type,
  code,
  message,
  retryAfter,
});

export const Errors = {
  missingAuth: () => proxyError(401, "invalid_request_error", "missing_api_key", "Send your mAI token as `Authorization: Bearer mai_…`."),
  invalidAuth: () => proxyError(401, "invalid_request_error", "invalid_api_key", "Unknown or revoked mAI token."),
  notMapped: () => proxyError(403, "permission_error", "no_organization", "Your account is not connected to an organisation yet."),
  inactive: () => proxyError(403, "permission_error", "organization_inactive", "Your organisation is deactivated."),
  modelNotAllowed: (model: string) => proxyError(403, "permission_error", "model_not_allowed", `The model ${model} is not enabled for your organisation.`),
  // "held": the request would fit once the requests in flight land (the dashboard still says
  // "warning"); otherwise what is left cannot take it at all (the dashboard says "exceeded").
  limit: (why: "spent" | "held" = "spent") =>
    proxyError(
      402,
      "insufficient_quota",
      "monthly_limit_exceeded",
      why === "held"
        ? "Your organisation's monthly limit is nearly spent: the rest is held by requests in flight. Try again when they finish."
        : "Your organisation's monthly limit is spent. It resets at the start of the next billing month.",
    ),
  badJson: () => proxyError(400, "invalid_request_error", "invalid_json", "The request body is not valid JSON."),
  notAnObject: () => proxyError(400, "invalid_request_error", "invalid_json", "The request body must be a JSON object."),
  jsonTooDeep: (max: number) =>
    proxyError(400, "invalid_request_error", "json_too_deep", `The request body nests objects and arrays more than ${max} levels deep.`),
  invalidModel: () =>
    proxyError(
      400,
      "invalid_request_error",
      "invalid_model",
      "`model` must be a model id: a string of 1 to 300 characters without NUL characters or broken Unicode.",
    ),
  invalidModels: () =>
    proxyError(400, "invalid_request_error", "invalid_model", "`models` must be a list of model ids (strings of 1 to 300 characters)."),
  invalidTarget: () => proxyError(400, "invalid_request_error", "invalid_request_target", "The request target is not a valid path or URL."),
  malformed: () => proxyError(400, "invalid_request_error", "malformed_request", "The request is not valid HTTP/1.1 (request line, header syntax or message framing)."),
  unframedBody: () =>
    proxyError(400, "invalid_request_error", "invalid_transfer_encoding", "The request body's length cannot be determined: the last Transfer-Encoding must be chunked."),
  missingHost: () => proxyError(400, "invalid_request_error", "missing_host", "An HTTP/1.1 request needs a Host header."),
  requestTimeout: () =>
    proxyError(408, "invalid_request_error", "request_timeout", "The request was not received in time: send the headers and the body without pausing."),
  headersTooLarge: (max: number) => proxyError(431, "invalid_request_error", "headers_too_large", `The request line and headers exceed ${max} bytes.`),
  expectationFailed: () => proxyError(417, "invalid_request_error", "expectation_failed", "Only `Expect: 100-continue` is supported."),
  methodNotAllowed: (method: string) =>
    proxyError(405, "invalid_request_error", "method_not_allowed", `This gateway is not a forward proxy: ${method} is not supported.`),
  internal: () => proxyError(500, "api_error", "internal_error", "Internal gateway error."),
  tooLarge: (max: number) => proxyError(413, "invalid_request_error", "body_too_large", `The request body exceeds ${max} bytes.`),
  notFound: (method: string, path: string) => proxyError(404, "invalid_request_error", "not_found", `No route for ${method} ${path}.`),
  apiUnavailable: () => proxyError(503, "api_error", "service_unavailable", "The gateway cannot reach its control plane; try again shortly."),
  upstreamUnavailable: () => proxyError(502, "api_error", "upstream_unavailable", "OpenRouter could not be reached."),
  upstreamTimeout: () => proxyError(504, "api_error", "upstream_timeout", "OpenRouter did not answer in time."),
};

/** Refusals of trusted-gateway mode (an Open WebUI admin connection that forwards its users). */
export const GatewayErrors = {
  missingUser: () =>
    proxyError(
      401,
      "invalid_request_error",
      "missing_user_identity",
      "This gateway request names no Open WebUI user: enable ENABLE_FORWARD_USER_INFO_HEADERS in Open WebUI.",
    ),
  invalidJwt: () =>
    proxyError(
      401,
      "invalid_request_error",
      "invalid_user_jwt",
      "The forwarded Open WebUI identity (X-OpenWebUI-User-Jwt) is missing, expired or not signed with the configured secret.",
    ),
  invalidUser: () => proxyError(401, "invalid_request_error", "invalid_user_identity", "The forwarded Open WebUI identity is invalid."),
  unknownUser: () =>
    proxyError(
      403,
      "permission_error",
      "unknown_user",
      "Your Open WebUI account is not registered with mAI yet. Ask your organisation's administrator to add your e-mail address.",
    ),
  autoJoinUnavailable: () =>
    proxyError(
      403,
      "permission_error",
      "auto_join_unavailable",
      "New accounts cannot join automatically: the configured organisation does not exist or is deactivated. Contact your administrator.",
    ),
};

/** How the proxy reads one API code, per question it asks the API (internal.*). */
interface ApiCodeMeaning {
  /** internal.resolveContext for a personal token: the refusal the caller gets (cached briefly). */
  token?: () => ProxyError;
  /** internal.resolveContext for a user Open WebUI forwarded (trusted-gateway mode). */
  gatewayUser?: () => ProxyError;
  /** internal.recordUsage: the batch can never be taken, or the API ran and failed on it (metering/api-sink.ts). */
  usage?: "rejected" | "server_error";
}

/**
 * ONE table: what each code the API answers means to the proxy. The API maps its domain codes to
 * these tRPC codes once (apps/api/src/trpc/init.ts: UNAUTHENTICATED → UNAUTHORIZED, FORBIDDEN,
 * PRECONDITION_FAILED, INVALID_INPUT and every input its schemas refuse → BAD_REQUEST, …). A code a
 * question has no entry for — and any failure that is not the API's own tRPC answer (network,
 * timeout, a page from a proxy in between) — means the API is away: a chat request gets 503
 * service_unavailable (never cached), a usage batch stays spooled and is sent again.
 */
const API_CODES: Partial<Record<TRPC_ERROR_CODE_KEY, ApiCodeMeaning>> = {
  // Unknown, revoked or disabled credentials; nobody with this Open WebUI id or e-mail and no auto-join.
  UNAUTHORIZED: { token: Errors.invalidAuth, gatewayUser: GatewayErrors.unknownUser },
  // An input the API refused: a token it cannot take, a forwarded identity it cannot store, an invalid batch.
  BAD_REQUEST: { token: Errors.invalidAuth, gatewayUser: GatewayErrors.invalidUser, usage: "rejected" },
  // The user belongs to no organisation yet.
  FORBIDDEN: { token: Errors.notMapped, gatewayUser: Errors.notMapped },
  // Auto-join names an organisation that is missing or deactivated.
  PRECONDITION_FAILED: { gatewayUser: GatewayErrors.autoJoinUnavailable },
  // HTTP 500: the API ran and failed, maybe on one event of the batch. (503 is the API's database away.)
  INTERNAL_SERVER_ERROR: { usage: "server_error" },
};

/** The row of API_CODES for a failed API call; undefined when the API is away. */
export function apiMeaning(error: unknown): ApiCodeMeaning | undefined {
  const code = apiErrorCode(error);
  return code === undefined ? undefined : API_CODES[code];
}

/** The JSON body of an error; a 5xx names the request id (the log line's key) in its sentence. */
function errorBody(error: ProxyError, requestId: string | undefined): string {
  const message = error.status >= 500 && requestId ? `${error.message} Request id: ${requestId}.` : error.message;
  return JSON.stringify({ error: { message, type: error.type, code: error.code } });
}

export function sendError(res: ServerResponse, error: ProxyError, extraHeaders: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const requestId = res.getHeader("x-request-id");
  const body = errorBody(error, typeof requestId === "string" ? requestId : undefined);
  res.writeHead(error.status, {
    ...extraHeaders,
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(body),
    ...(error.retryAfter ? { "retry-after": error.retryAfter } : {}),
  });
  res.end(body);
}

/** A complete HTTP/1.1 error response for a socket that has no ServerResponse (a request Node could not parse). */
export function rawErrorResponse(error: ProxyError, requestId: string, reason: string): string {
  const body = errorBody(error, requestId);
  return (
    `HTTP/1.1 ${error.status} ${reason}\r\n` +
    "content-type: application/json; charset=utf-8\r\n" +
    `content-length: ${Buffer.byteLength(body)}\r\n` +
    `x-request-id: ${requestId}\r\n` +
    "connection: close\r\n\r\n" +
    body
  );
}

/**
 * OpenRouter's error envelope ({ error: { code, message, metadata } }) → ours. The organisation's
 * key being refused is the operator's problem, not the caller's: 502, not 401. OpenRouter's own
 * words are passed on for 4xx (they tell the caller what to change); a 5xx says only what failed.
 */
export function fromUpstream(status: number, body: unknown, retryAfter: string | undefined): ProxyError {
  const upstream = (body as { error?: { message?: unknown } } | null)?.error;
  const message = typeof upstream?.message === "string" ? upstream.message : `OpenRouter answered ${status}.`;
  switch (status) {
    case 400:
    case 413:
    case 422:
      return proxyError(status, "invalid_request_error", "invalid_request", message);
    case 401:
      return proxyError(502, "api_error", "upstream_key_rejected", "OpenRouter refused the organisation's key; contact your administrator.");
    case 402:
      return proxyError(402, "insufficient_quota", "upstream_insufficient_credits", message, retryAfter);
    case 403:
      return proxyError(403, "permission_error", /key limit/i.test(message) ? "key_limit_exceeded" : "upstream_forbidden", message);
    case 404:
      return proxyError(404, "invalid_request_error", "model_not_found", message);
    case 408:
    case 504:
    case 524:
      return proxyError(504, "api_error", "upstream_timeout", "OpenRouter did not answer in time.", retryAfter);
    case 429:
      return proxyError(429, "rate_limit_error", "rate_limit_exceeded", message, retryAfter);
    default:
      return status >= 500
        ? proxyError(502, "api_error", "upstream_error", `OpenRouter failed to answer (HTTP ${status}).`, retryAfter)
        : proxyError(status, "api_error", "upstream_error", message, retryAfter);
  }
}
