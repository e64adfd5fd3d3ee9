// The API's configuration, validated once at startup. Nothing else reads process.env.
import { DEFAULT_MAX_JSON_DEPTH, DEFAULT_RECONCILE_SAMPLE_BP } from "@mai/domain";
import proxyAddr from "proxy-addr";
import { z } from "zod";

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");
/** An optional setting given as "" is unset (a compose file's `${NAME:-}` when .env leaves it out). */
const unsetWhenEmpty = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === "" ? undefined : value), schema);
const list = z
  .string()
  .transform((v) =>
    v
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  );

/** A PostgreSQL connection URL (what postgres.js opens): postgres:// or postgresql://. */
const postgresUrl = (name: string) =>
  z.string().refine(
    (value) => {
      try {
        return ["postgres:", "postgresql:"].includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `${name} must be a postgres:// or postgresql:// URL` },
  );

/** An http(s) URL without credentials in it (fetch refuses those) — where the API asks Open WebUI who a session is. */
const httpUrl = (name: string) =>
  z
    .url({ protocol: /^https?$/, message: `${name} must be an http:// or https:// URL` })
    .refine((value) => !/^https?:\/\/[^/]*@/i.test(value), { message: `${name} must not hold a user name or password` });

/** An Open WebUI instance the API may ask about a session (services/openwebui/session-lookup.ts). */
export interface OpenWebUiInstance {
  /** "default" for MAI_OPENWEBUI_URL; otherwise its name in MAI_OPENWEBUI_INSTANCES. */
  name: string;
  url: string;
  /** New users of this instance join this organisation (the per-client container layout). */
  organizationId: string | null;
}

const INSTANCE_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * MAI_OPENWEBUI_INSTANCES: `name=url` or `name=url#organizationId`, comma-separated — the `#`
 * cannot be part of a base URL worth asking (a fragment never reaches a server). A malformed entry
 * refuses the start with the entry named, so a typo is not found on a client's first save.
 */
const openWebUiInstances = z.string().transform((value, ctx): OpenWebUiInstance[] => {
  const instances: OpenWebUiInstance[] = [];
  for (const raw of value.split(",").map((s) => s.trim()).filter(Boolean)) {
    const refuse = (why: string) => {
      ctx.addIssue({ code: "custom", message: `entry ${JSON.stringify(raw.length > 120 ? `${raw.slice(0, 120)}…` : raw)}: ${why}` });
    };
    const eq = raw.indexOf("=");
    const name = raw.slice(0, Math.max(eq, 0)).trim().toLowerCase();
    const rest = raw.slice(eq + 1).trim();
    const hash = rest.lastIndexOf("#");
    const url = (hash < 0 ? rest : rest.slice(0, hash)).trim();
    const organizationId = hash < 0 ? null : rest.slice(hash + 1).trim().toLowerCase();
    if (eq <= 0 || !INSTANCE_NAME.test(name)) {
      refuse("expected name=url or name=url#organizationId, the name in lower-case letters, digits, - and _ (at most 63)");
    } else if (name === "default") {
      refuse('"default" is MAI_OPENWEBUI_URL\'s name; choose another');
    } else if (instances.some((i) => i.name === name)) {
      refuse(`the name ${name} is given twice`);
    } else if (!httpUrl("url").safeParse(url).success) {
      refuse("the URL must be an http:// or https:// URL");
    } else if (organizationId !== null && !UUID.test(organizationId)) {
      refuse("after # comes an organisation id (a UUID)");
    } else {
      instances.push({ name, url: url.replace(/\/+$/, ""), organizationId });
    }
  }
  return instances;
});

export const envSchema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  MAI_API_HOST: z.string().default("127.0.0.1"),
  MAI_API_PORT: z.coerce.number().int().min(0).max(65_535).default(8787),
  /** Public https URL of the dashboard; an https URL makes the session cookie Secure. */
  MAI_PUBLIC_URL: z.url().optional(),
  /**
   * The reverse proxies in front of the API whose X-Forwarded-For is believed: a comma list of
   * addresses, CIDR ranges and the names "loopback", "linklocal", "uniquelocal" (proxy-addr's
   * syntax). The client address (sign-in throttling, audit, sessions) is then the first address in
   * the header that is not a trusted proxy's. Unset: the socket's address, and the header is ignored.
   */
  MAI_TRUST_PROXY: list
    .default([])
    .refine(
      (entries) => {
        try {
          proxyAddr.compile(entries);
          return true;
        } catch {
          return false;
        }
      },
      { message: 'MAI_TRUST_PROXY must be a comma list of IP addresses, CIDR ranges, "loopback", "linklocal" or "uniquelocal"' },
    ),
  DATABASE_URL: z.string().min(1).optional(),
  /**
   * A PostgreSQL read replica of DATABASE_URL for the dashboard's reports (README: "Read replica");
   * only with DATABASE_URL. Unset: every read goes to the primary.
   */
  DATABASE_READ_URL: postgresUrl("DATABASE_READ_URL").optional(),
  MAI_DATA_DIR: z.string().default("./.mai-data"),
  MAI_ENCRYPTION_KEY: z.string().optional(),
  MAI_ADMIN_EMAIL: z.email().optional(),
  MAI_ADMIN_PASSWORD: z.string().min(12, "MAI_ADMIN_PASSWORD must be at least 12 characters").optional(),
  /** Shared secret of the proxy's internal.* calls. Unset: internal procedures refuse everyone. */
  MAI_INTERNAL_TOKEN: z.string().min(24, "MAI_INTERNAL_TOKEN must be at least 24 characters").optional(),
  MAI_OPENROUTER_BASE_URL: z.url().default("https://openrouter.ai/api/v1"),
  /** Extra hosts or origins accepted as OpenRouter in saved connections (the simulator). */
  MAI_OPENROUTER_EXTRA_HOSTS: list.default([]),
  /** Check a saved key live with GET /key before syncing (a 401 blocks the sync). */
  MAI_VERIFY_KEYS: bool.default(true),
  MAI_OPENROUTER_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),
  /** How often recorded costs are checked against OpenRouter's /generation (0 disables). */
  MAI_RECONCILE_INTERVAL_MS: z.coerce.number().int().min(0).default(600_000),
  /**
   * How often every organisation's key is reconciled with OpenRouter's own per-key usage (UTC day
   * and month; "unmetered usage" on the dashboard). 0 disables it. One GET per organisation a run.
   */
  MAI_KEY_RECONCILE_INTERVAL_MS: z.coerce.number().int().min(0).default(900_000),
  /**
   * Share of ordinary (status ok) events queued for a check when recorded, in basis points of
   * generation ids (500 = 5 %); failed, aborted and incomplete ones always are.
   */
  MAI_RECONCILE_SAMPLE_BP: z.coerce.number().int().min(0).max(10_000).default(DEFAULT_RECONCILE_SAMPLE_BP),
  /** Events younger than this are left alone (/generation needs a moment after a completion). */
  MAI_RECONCILE_MIN_AGE_MS: z.coerce.number().int().min(0).default(60_000),
  /**
   * Lifetime of a monthly-limit lease a proxy does not renew (proxies renew every quarter of it,
   * the API sweeps expired leases as often): after a proxy crash or partition, the budget it held
   * returns to the organisation within this time.
   */
  MAI_LEASE_TTL_MS: z.coerce.number().int().min(200).max(3_600_000).default(60_000),
  /** How many /generation checks one reconciliation run keeps in flight at once. */
  MAI_RECONCILE_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(8),
  /**
   * How long a rotated or replaced provisioned key stays valid on OpenRouter before it is deleted.
   * Must exceed every proxy's MAI_PROXY_IDENTITY_TTL_MS (default 30 s) plus the time a request takes
   * to reach OpenRouter: until then a proxy may still send the old key from its cache.
   */
  MAI_KEY_RETIREMENT_GRACE_MS: z.coerce.number().int().min(0).max(86_400_000).default(120_000),
  /**
   * Raw usage events are kept for the current month and this many whole months before it; older
   * months' events are dropped (daily rollups, limits, statements and adjustments stay). 0 keeps
   * every event; otherwise at least 2, so a month is dropped only long after reconciliation ended.
   */
  MAI_USAGE_RETENTION_MONTHS: z.coerce
    .number()
    .int()
    .min(0)
    .max(1200)
    .refine((n) => n === 0 || n >= 2, "0 (keep every event) or at least 2 months")
    .default(0),
  /** How often retired keys that are due are deleted on OpenRouter (0 disables the job). */
  MAI_KEY_RETIREMENT_INTERVAL_MS: z.coerce.number().int().min(0).default(15_000),
  // Display currency (README "Display currency"): NBP's table A mid rate, fetched daily.
  /** NBP's API (tests: a stand-in); rates are read from {MAI_NBP_URL}/api/exchangerates/rates/a/usd/{start}/{end}/. */
  MAI_NBP_URL: httpUrl("MAI_NBP_URL").default("https://api.nbp.pl"),
  /** How long NBP may take to answer. */
  MAI_NBP_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** How often the rates are fetched (also once at start); 0 disables the job (exchangeRates.refresh still works). */
  MAI_NBP_INTERVAL_MS: z.coerce.number().int().min(0).default(3 * 3_600_000),
  // Limit alerts (README: "Limit alerts"): e-mail over SMTP and an optional signed webhook per organisation.
  /** How often month-to-date spend is compared with the thresholds and due deliveries are sent (0 disables both). */
  MAI_ALERTS_INTERVAL_MS: z.coerce.number().int().min(0).default(30_000),
  /** The wait after a failed delivery's first attempt; it doubles per attempt, at most 1 h. */
  MAI_ALERTS_RETRY_BASE_MS: z.coerce.number().int().min(10).max(3_600_000).default(30_000),
  /** Attempts per delivery before it is given up (visible in the delivery log). */
  MAI_ALERTS_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  /** The SMTP server as a URL: smtp://user:pass@host:587 (STARTTLS when offered) or smtps://…:465. Or the MAI_SMTP_* parts below. */
  // Empty is unset, as docker compose passes `${MAI_SMTP_URL:-}` when .env does not set it.
  MAI_SMTP_URL: unsetWhenEmpty(
    z
      .string()
      .refine((value) => /^smtps?:\/\/[^\s]+$/i.test(value), { message: "MAI_SMTP_URL must be an smtp:// or smtps:// URL" })
      .optional(),
  ),
  MAI_SMTP_HOST: unsetWhenEmpty(z.string().min(1).optional()),
  MAI_SMTP_PORT: z.coerce.number().int().min(1).max(65_535).default(587),
  /** Implicit TLS (port 465); otherwise STARTTLS is used when the server offers it. */
  MAI_SMTP_SECURE: bool.optional(),
  MAI_SMTP_USER: unsetWhenEmpty(z.string().min(1).optional()),
  MAI_SMTP_PASSWORD: unsetWhenEmpty(z.string().min(1).optional()),
  /** The From of alert e-mails, e.g. "mAI Gateway <alerts@example.com>". */
  MAI_ALERTS_FROM: unsetWhenEmpty(z.string().min(3).max(320).default("mAI Gateway <alerts@mai.local>")),
  /** Time a webhook receiver has to answer (a timeout is retried). */
  MAI_ALERTS_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** Accept http:// webhook URLs (default: https only, http only to a loopback host, which MAI_ALERTS_WEBHOOK_ALLOW_PRIVATE must also allow). */
  MAI_ALERTS_WEBHOOK_ALLOW_HTTP: bool.default(false),
  /**
   * Let webhooks reach loopback, private, link-local and other non-public addresses (SSRF guard off:
   * tests, or a receiver inside the provider's own network). Default: refused at connect time.
   */
  MAI_ALERTS_WEBHOOK_ALLOW_PRIVATE: bool.default(false),
  /** The built dashboard (apps/admin, `npm run build -w @mai/admin`) served on /; unset: apps/admin/dist. "" disables it. */
  MAI_ADMIN_DIST: z.string().optional(),
  /** The proxy's public base URL, shown in the dashboard for chat clients (e.g. https://llm.example.com/v1). */
  MAI_PROXY_PUBLIC_URL: z.url().optional(),
  // Stock Open WebUI's own sessions on its settings endpoints (README: "Open WebUI sessions").
  /** The Open WebUI whose sessions (its JWT as Bearer, or its `token` cookie) the settings endpoints accept. Unset: none. */
  MAI_OPENWEBUI_URL: httpUrl("MAI_OPENWEBUI_URL").optional(),
  /** More Open WebUIs, chosen per request by the instance header their reverse proxy sets (with the mirror token). */
  MAI_OPENWEBUI_INSTANCES: openWebUiInstances.default([]),
  /**
   * The secret the reverse proxy in front of Open WebUI sends with what it mirrors: the API cannot
   * tell who set a header, so the instance header (and X-Forwarded-Host) count only beside it.
   */
  MAI_OPENWEBUI_MIRROR_TOKEN: z.string().min(24, "MAI_OPENWEBUI_MIRROR_TOKEN must be at least 24 characters").optional(),
  /**
   * Which Open WebUI role makes a user first seen through an Open WebUI session a client
   * administrator (org_admin): "admin", or "none" — in one Open WebUI shared by many clients its
   * admins are the provider's staff, so nobody becomes an administrator from Open WebUI's roles.
   */
  MAI_OPENWEBUI_ADMIN_ROLE: z.enum(["admin", "none"]).default("admin"),
  /**
   * An Open WebUI group (by name, case and surrounding spaces aside) whose members of role `user`
   * become client administrators when first seen — the way to name a client's administrators in
   * an Open WebUI shared by many clients (with MAI_OPENWEBUI_ADMIN_ROLE=none). Unset or empty: none.
   */
  MAI_OPENWEBUI_ADMIN_GROUP: unsetWhenEmpty(
    z
      .string()
      .trim()
      .min(1, "MAI_OPENWEBUI_ADMIN_GROUP must name a group")
      .max(255, "MAI_OPENWEBUI_ADMIN_GROUP must be at most 255 characters")
      .optional(),
  ),
  /** How long Open WebUI's answer about a session is reused (a refusal: at most 5 s). 0: ask every time. */
  MAI_OPENWEBUI_SESSION_TTL_MS: z.coerce.number().int().min(0).max(600_000).default(30_000),
  /** Time Open WebUI has to answer who a session belongs to; 503 beyond. */
  MAI_OPENWEBUI_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  // Limits on what a client may send (README: "Limits"). Every one answers a 4xx in words.
  /** Largest request body of tRPC and the REST endpoints (bytes); 413 beyond. */
  MAI_API_MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(1 << 30).default(1 << 20),
  /** Largest body of a call carrying the internal token (usage batches of up to 5,000 events). */
  MAI_API_MAX_INTERNAL_BODY_BYTES: z.coerce.number().int().min(1024).max(1 << 30).default(32 << 20),
  /** Deepest nesting of objects and arrays in a JSON body or query input; 400 beyond. */
  MAI_API_MAX_JSON_DEPTH: z.coerce.number().int().min(4).max(1_000).default(DEFAULT_MAX_JSON_DEPTH),
  /** Largest request head (request line and headers, bytes); Node answers 431 beyond. */
  MAI_API_MAX_HEADER_BYTES: z.coerce.number().int().min(1024).max(1 << 20).default(16 * 1024),
  /** Time a client has to send its request headers (slow-loris); 408 beyond. */
  MAI_API_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(20_000),
  /** Time a client has to send its whole request, body included; 408 beyond. */
  MAI_API_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  /** An idle keep-alive connection is closed after this long. */
  MAI_API_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
});

export type Env = z.infer<typeof envSchema>;

export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n");
    throw new Error(`Invalid configuration:\n${problems}`);
  }
  // The embedded PGlite has no replica (@mai/db's openDatabase refuses it too; here it is said first).
  if (parsed.data.DATABASE_READ_URL && !parsed.data.DATABASE_URL) {
    throw new Error("Invalid configuration:\n  DATABASE_READ_URL: a read replica needs DATABASE_URL (its primary PostgreSQL) to be set");
  }
  // The instance header is honoured only beside the mirror token: without one, the instances could never be chosen.
  if (parsed.data.MAI_OPENWEBUI_INSTANCES.length > 0 && !parsed.data.MAI_OPENWEBUI_MIRROR_TOKEN) {
    throw new Error(
      "Invalid configuration:\n  MAI_OPENWEBUI_INSTANCES: needs MAI_OPENWEBUI_MIRROR_TOKEN (the instance header is honoured only beside it)",
    );
  }
  if (parsed.data.MAI_SMTP_URL && parsed.data.MAI_SMTP_HOST) {
    throw new Error("Invalid configuration:\n  MAI_SMTP_URL: give either MAI_SMTP_URL or MAI_SMTP_HOST (with its MAI_SMTP_* parts), not both");
  }
  if (Boolean(parsed.data.MAI_SMTP_USER) !== Boolean(parsed.data.MAI_SMTP_PASSWORD)) {
    throw new Error("Invalid configuration:\n  MAI_SMTP_USER: give MAI_SMTP_USER and MAI_SMTP_PASSWORD together");
  }
  // Node refuses a header timeout longer than the request timeout; say it in words instead.
  if (parsed.data.MAI_API_HEADERS_TIMEOUT_MS > parsed.data.MAI_API_REQUEST_TIMEOUT_MS) {
    throw new Error("Invalid configuration:\n  MAI_API_HEADERS_TIMEOUT_MS: must not exceed MAI_API_REQUEST_TIMEOUT_MS");
  }
  return parsed.data;
}
