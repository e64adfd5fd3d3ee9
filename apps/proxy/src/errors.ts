// Every error the proxy answers is OpenAI-shaped: { error: { message, type, code } }, so OpenAI
// SDKs and Open WebUI show it properly. A spent monthly limit is 402 (the client must not retry),
// never 429 (which clients retry).
import type { ServerResponse } from "node:http";

export interface ProxyError {
  status: number;
  message: string;
  type: string;
  code: string;
  retryAfter?: string | undefined;
}

export const proxyError = (status: number, type: string, code: string, message: string, retryAfter?: string): ProxyError => ({
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
  limit: () =>
    proxyError(402, "insufficient_quota", "monthly_limit_exceeded", "Your organisation's monthly limit is spent. It resets at the start of the next billing month."),
  badJson: () => proxyError(400, "invalid_request_error", "invalid_json", "The request body is not valid JSON."),
  tooLarge: (max: number) => proxyError(413, "invalid_request_error", "body_too_large", `The request body exceeds ${max} bytes.`),
  notFound: (method: string, path: string) => proxyError(404, "invalid_request_error", "not_found", `No route for ${method} ${path}.`),
  apiUnavailable: () => proxyError(503, "api_error", "service_unavailable", "The gateway cannot reach its control plane; try again shortly."),
  upstreamUnavailable: () => proxyError(502, "api_error", "upstream_unavailable", "OpenRouter could not be reached."),
  upstreamTimeout: () => proxyError(504, "api_error", "upstream_timeout", "OpenRouter did not answer in time."),
};

export function sendError(res: ServerResponse, error: ProxyError, extraHeaders: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ error: { message: error.message, type: error.type, code: error.code } });
  res.writeHead(error.status, {
    ...extraHeaders,
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(body),
    ...(error.retryAfter ? { "retry-after": error.retryAfter } : {}),
  });
  res.end(body);
}

/**
 * OpenRouter's error envelope ({ error: { code, message, metadata } }) → ours. The organisation's
 * key being refused is the operator's problem, not the caller's: 502, not 401.
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
      return proxyError(504, "api_error", "upstream_timeout", message, retryAfter);
    case 429:
      return proxyError(429, "rate_limit_error", "rate_limit_exceeded", message, retryAfter);
    default:
      return proxyError(status >= 500 ? 502 : status, "api_error", "upstream_error", message, retryAfter);
  }
}
