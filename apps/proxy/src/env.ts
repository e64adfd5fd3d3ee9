// The proxy's configuration, validated once. Nothing else reads process.env.
import { DEFAULT_MAX_JSON_DEPTH } from "@mai/domain";
import { z } from "zod";

const list = z.string().transform((v) =>
  v
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean),
);

/** An unset variable, or one set to "" (docker-compose's `VAR=`), is absent. */
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === "" ? undefined : v), schema.optional());

export const envSchema = z.object({
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  MAI_PROXY_HOST: z.string().default("127.0.0.1"),
  MAI_PROXY_PORT: z.coerce.number().int().min(0).max(65_535).default(8788),
  /** Where the API listens; the proxy calls only its internal.* procedures. */
  MAI_API_URL: z.url().default("http://127.0.0.1:8787"),
  MAI_INTERNAL_TOKEN: z.string().min(24, "MAI_INTERNAL_TOKEN must be at least 24 characters"),
  MAI_OPENROUTER_BASE_URL: z.url().default("https://openrouter.ai/api/v1"),
  /** Browser origins allowed to call the proxy (Open WebUI direct connections); "*" allows any. */
  MAI_PROXY_CORS_ORIGINS: list.default([]),
  /** How long a resolved identity is reused: a revoked token stops working within this time. */
  MAI_PROXY_IDENTITY_TTL_MS: z.coerce.number().int().min(0).max(600_000).default(30_000),
  MAI_PROXY_MAX_BODY_BYTES: z.coerce.number().int().positive().default(10 * 1024 * 1024),
  /**
   * Limits on what a *client* sends (slow-loris and friends). "CLIENT" keeps them apart from the
   * upstream timeouts below. The request timeout bounds receiving a request (headers and body);
   * once it is received, the answer streams for as long as it lasts.
   */
  MAI_PROXY_CLIENT_HEADERS_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  MAI_PROXY_CLIENT_REQUEST_TIMEOUT_MS: z.coerce.number().int().positive().default(120_000),
  /** An idle keep-alive connection is closed after this (behind a load balancer: above its idle timeout). */
  MAI_PROXY_CLIENT_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),
  /** Request line and headers together, at most (431 above). */
  MAI_PROXY_MAX_HEADER_BYTES: z.coerce.number().int().min(1_024).max(1024 * 1024).default(16 * 1024),
  /** Nesting of objects and arrays in a request body, at most (400 above): deeper JSON overflows the stack of every walk. */
  MAI_PROXY_MAX_JSON_DEPTH: z.coerce.number().int().min(2).max(1_000).default(DEFAULT_MAX_JSON_DEPTH),
  MAI_PROXY_CONNECT_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /** Time to the upstream's response headers (a slow first token on a long prompt). */
  MAI_PROXY_HEADERS_TIMEOUT_MS: z.coerce.number().int().positive().default(300_000),
  /** Longest silence allowed between two chunks of an upstream body. */
  MAI_PROXY_IDLE_TIMEOUT_MS: z.coerce.number().int().positive().default(300_000),
  /** Connections to OpenRouter at most: each streaming answer holds one for its whole length. */
  MAI_PROXY_UPSTREAM_CONNECTIONS: z.coerce.number().int().min(1).max(100_000).default(2_048),
  MAI_PROXY_SPOOL_DIR: z.string().default("./.mai-data/spool"),
  /** Reservation used when a model's prices are unknown (USD). */
  MAI_PROXY_FALLBACK_RESERVATION_USD: z.string().regex(/^\d+(\.\d+)?$/).default("0.5"),
  /** Completion tokens assumed when neither the request nor the model states a maximum. */
  MAI_PROXY_DEFAULT_MAX_COMPLETION_TOKENS: z.coerce.number().int().positive().default(16_384),
  /** Usage events per internal.recordUsage call at most, and the longest an event waits to be sent. */
  MAI_PROXY_USAGE_BATCH: z.coerce.number().int().min(1).max(5_000).default(1_000),
  MAI_PROXY_USAGE_FLUSH_MS: z.coerce.number().int().min(0).max(10_000).default(250),
  /**
   * A usage batch the API answered with a server error (500) this many times is split to find the
   * event it fails on (see metering/recorder.ts); 503s and network errors never count.
   */
  MAI_PROXY_USAGE_MAX_SERVER_ERRORS: z.coerce.number().int().min(1).max(100).default(3),
  /** A monthly-limit lease unused this long is given back to the organisation's budget. */
  MAI_PROXY_LEASE_IDLE_MS: z.coerce.number().int().min(10).max(600_000).default(2_000),
  MAI_PROXY_MODELS_TTL_MS: z.coerce.number().int().positive().default(300_000),
  MAI_PROXY_SHUTDOWN_GRACE_MS: z.coerce.number().int().positive().default(10_000),
  /**
   * Trusted-gateway mode (an Open WebUI *admin connection*): the key configured in Open WebUI for
   * this connection. A request whose Bearer equals it acts for the user Open WebUI forwards
   * (X-OpenWebUI-User-* headers, or the signed X-OpenWebUI-User-Jwt). Unset: gateway mode is off.
   */
  MAI_PROXY_GATEWAY_TOKEN: optional(z.string().min(24, "MAI_PROXY_GATEWAY_TOKEN must be at least 24 characters")),
  /**
   * Open WebUI's FORWARD_USER_INFO_HEADER_JWT_SECRET. When set, gateway requests must carry a valid
   * X-OpenWebUI-User-Jwt (HS256, iss "open-webui", not expired) and the plain headers are ignored.
   */
  MAI_PROXY_GATEWAY_JWT_SECRET: optional(z.string()),
  /** Single-organisation deployments: unknown Open WebUI users join this organisation as members. */
  MAI_PROXY_AUTO_JOIN_ORGANIZATION_ID: optional(z.uuid()),
});

/** Settings that only make sense together. */
function crossFieldIssues(env: z.infer<typeof envSchema>): string[] {
  const issues: string[] = [];
  if (env.MAI_PROXY_CLIENT_HEADERS_TIMEOUT_MS > env.MAI_PROXY_CLIENT_REQUEST_TIMEOUT_MS) {
    // Node refuses it too: the headers are part of the request.
    issues.push("  MAI_PROXY_CLIENT_HEADERS_TIMEOUT_MS: must not exceed MAI_PROXY_CLIENT_REQUEST_TIMEOUT_MS");
  }
  if (!env.MAI_PROXY_GATEWAY_TOKEN) {
    for (const name of ["MAI_PROXY_GATEWAY_JWT_SECRET", "MAI_PROXY_AUTO_JOIN_ORGANIZATION_ID"] as const) {
      if (env[name]) issues.push(`  ${name}: only applies to the trusted-gateway mode; set MAI_PROXY_GATEWAY_TOKEN too`);
    }
  } else if (env.MAI_PROXY_GATEWAY_TOKEN === env.MAI_INTERNAL_TOKEN) {
    // Open WebUI's administrators see the gateway key: it must not open the API's internal door.
    issues.push("  MAI_PROXY_GATEWAY_TOKEN: must differ from MAI_INTERNAL_TOKEN");
  }
  return issues;
}

export type ProxyEnv = z.infer<typeof envSchema>;

export function loadProxyEnv(source: Record<string, string | undefined> = process.env): ProxyEnv {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    throw new Error(`Invalid proxy configuration:\n${parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n")}`);
  }
  const issues = crossFieldIssues(parsed.data);
  if (issues.length > 0) throw new Error(`Invalid proxy configuration:\n${issues.join("\n")}`);
  return parsed.data;
}
