// Everything a procedure may touch, built once at startup (or per test) and carried in the
// context: no module-level singletons, so tests run many isolated APIs side by side.
import type { Database, SecretBox } from "@mai/db";
import { OpenRouterClient } from "@mai/openrouter";
import proxyAddr from "proxy-addr";
import type { Env } from "./env";
import type { Logger } from "./logger";

export interface AppDeps {
  /** The primary: every write, limit, sign-in and read that must see its own writes. */
  db: Database;
  /**
   * The dashboard's reports (README: "Read replica"): DATABASE_READ_URL's replica, or `db` itself
   * without one. May be a moment behind the primary; never for limits, authentication or writes.
   */
  readDb: Database;
  secrets: SecretBox;
  env: Env;
  logger: Logger;
  openrouter: OpenRouterClient;
  /** Which socket addresses are trusted proxies (MAI_TRUST_PROXY); null: none, X-Forwarded-For is ignored. */
  trustProxy: ((address: string, hop: number) => boolean) | null;
  now: () => Date;
}

export function createDeps(input: {
  db: Database;
  /** Unset: reports read the primary too. */
  readDb?: Database;
  secrets: SecretBox;
  env: Env;
  logger: Logger;
  now?: () => Date;
}): AppDeps {
  return {
    ...input,
    readDb: input.readDb ?? input.db,
    openrouter: new OpenRouterClient({
      baseUrl: input.env.MAI_OPENROUTER_BASE_URL,
      timeoutMs: input.env.MAI_OPENROUTER_TIMEOUT_MS,
      appUrl: input.env.MAI_PUBLIC_URL,
      appTitle: "mAI Gateway",
    }),
    trustProxy: input.env.MAI_TRUST_PROXY.length > 0 ? proxyAddr.compile(input.env.MAI_TRUST_PROXY) : null,
    now: input.now ?? (() => new Date()),
  };
}
