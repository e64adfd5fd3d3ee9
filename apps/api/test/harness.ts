// A whole API for one test file: a fresh database (PGlite, or PostgreSQL when DATABASE_URL is
// set), the OpenRouter simulator on loopback, captured log lines, and callers for any identity.
import { createServer } from "node:http";
import { Writable } from "node:stream";
import { TRPCError } from "@trpc/server";
import { createUser, createOrganization, getAuthUser, schema, type AuthUser, type Database, type Driver } from "@mai/db";
import { createTestDb, fakeOpenRouterKey, type TestDb } from "@mai/db/testing";
import { encodeUsageEvents, externalUserId, type Role, type UsageEvent } from "@mai/domain";
import { startSimulator, type Simulator } from "@mai/openrouter/simulator";
import { randomBytes, randomUUID } from "node:crypto";
import { isSecureDeployment, SESSION_COOKIE, type Context } from "../src/context";
import { createDeps, type AppDeps } from "../src/deps";
import { loadEnv } from "../src/env";
import { createLogger } from "../src/logger";
import { appRouter } from "../src/routers/_app";
import { createCallerFactory } from "../src/trpc";
import { createApiServer, type ApiServer } from "../src/server";
import { createApiToken, createSession } from "@mai/db";
import { createTRPCClient, httpLink, type TRPCClient } from "@trpc/client";
import superjson from "superjson";
import type { AppRouter } from "../src/routers/_app";
import { generateApiToken, sha256 } from "../src/services/auth/tokens";

/** The tRPC error code a call ends with, "OK" if it succeeds: cells of permission tables. */
export async function trpcCode(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return "OK";
  } catch (error) {
    return error instanceof TRPCError ? error.code : `not a TRPCError: ${String(error)}`;
  }
}

/** JSON with bigint money as decimal strings (for leak checks over whole responses). */
export const json = (value: unknown) => JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));

/** A loopback port nothing listens on: "OpenRouter is down". */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export const INTERNAL_TOKEN = "test-internal-token-0123456789abcdef";

/**
 * What a harness caller authenticated with (Context.auth): a full dashboard session (the default),
 * a session opened with a temporary password, a personal token of either scope, or the operator's
 * in-process call (the CLI). The session hashes and token ids are placeholders nothing in the database has.
 */
export type Credential = "session" | "password_change" | "chat" | "manage" | "operator" | "openwebui";
export const CREDENTIALS: readonly Credential[] = ["session", "password_change", "chat", "manage", "operator"];
interface CallerOptions {
  internal?: boolean;
  ip?: string;
  credential?: Credential;
}

function authOf(credential: Credential): NonNullable<Context["auth"]> {
  switch (credential) {
    case "session":
    case "password_change":
      // Each its own: the current-password throttle of auth.changePassword is keyed by the session.
      return { kind: "session", sessionHash: randomBytes(32).toString("hex"), purpose: credential === "session" ? "full" : "password_change" };
    case "chat":
    case "manage":
      return { kind: "token", tokenId: "00000000-0000-4000-8000-000000000000", scope: credential };
    case "operator":
      return { kind: "operator" };
    case "openwebui":
      return { kind: "openwebui", instance: "default" };
  }
}
const createCaller = createCallerFactory(appRouter);

export interface Harness {
  t: TestDb;
  deps: AppDeps;
  sim: Simulator;
  /** Every log line written so far (JSON text), for leak checks. */
  logs: string[];
  /** Cookies set through the context, per call. */
  cookies: string[];
  /** `user` signed in with `options.credential` (default: a full dashboard session). */
  context(user: AuthUser | null, options?: CallerOptions): Context;
  caller(user: AuthUser | null, options?: CallerOptions): ReturnType<typeof createCaller>;
  internal(): ReturnType<typeof createCaller>;
  /** A user with this role, mapped to `organizationId` if given. */
  user(role: Role, options?: { organizationId?: string; email?: string; passwordHash?: string }): Promise<AuthUser>;
  /**
   * A typed tRPC client over real HTTP as `user`: with a fresh personal token of this scope (a chat
   * token by default), or — "session" — a browser on the dashboard with a fresh full session.
   */
  http(user: AuthUser | null, credential?: "chat" | "manage" | "session"): Promise<TRPCClient<AppRouter>>;
  /** An organisation with a client key, and its administrator. */
  org(name?: string): Promise<{ id: string; key: string; admin: AuthUser }>;
  close(): Promise<void>;
}

let keySeq = 0x1000;
export const nextKey = () => fakeOpenRouterKey((keySeq++).toString(16));

export interface HarnessOptions {
  /**
   * A separate database for the reports (AppDeps.readDb) standing in for DATABASE_READ_URL's
   * replica (read-replica.test.ts); unset: reports read the harness's own database, as in production without one.
   */
  readDb?: Database;
}

export async function createHarness(
  driver: Driver,
  envOverrides: Record<string, string> = {},
  harnessOptions: HarnessOptions = {},
): Promise<Harness> {
  const t = await createTestDb(driver, { max: 12 });
  const sim = await startSimulator({ port: 0, generationDelayMs: 0 });
  const logs: string[] = [];
  const cookies: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const env = loadEnv({
    NODE_ENV: "test",
    MAI_INTERNAL_TOKEN: INTERNAL_TOKEN,
    MAI_OPENROUTER_BASE_URL: sim.url,
    MAI_OPENROUTER_EXTRA_HOSTS: sim.origin,
    LOG_LEVEL: "debug",
    // API tests never depend on whether the dashboard happens to be built (admin-static.test.ts sets it).
    MAI_ADMIN_DIST: "",
    // The simulator runs in this process: on a loaded machine an answer can take seconds, which is
    // not an OpenRouter outage (a test of a timeout sets its own).
    MAI_OPENROUTER_TIMEOUT_MS: "30000",
    ...envOverrides,
  });
  const deps = createDeps({ db: t.db, readDb: harnessOptions.readDb, secrets: t.secrets, env, logger: createLogger({ level: "debug", destination }) });

  const context = (user: AuthUser | null, options: CallerOptions = {}): Context => ({
    deps,
    log: deps.logger,
    requestId: randomUUID(),
    request: { ip: options.ip ?? "127.0.0.1", userAgent: "vitest", secure: isSecureDeployment(deps) },
    user,
    auth: user ? authOf(options.credential ?? "session") : null,
    internal: options.internal ?? false,
    setCookie: (cookie) => cookies.push(cookie),
  });

  let seq = 0;
  let server: { api: ApiServer; url: string } | undefined;
  const harness: Harness = {
    t,
    deps,
    sim,
    logs,
    cookies,
    context,
    caller: (user, options) => createCaller(context(user, options)),
    internal: () => createCaller(context(null, { internal: true })),
    async user(role, options = {}) {
      const row = await createUser(t.db, {
        email: options.email ?? `${role}-${++seq}-${randomUUID().slice(0, 8)}@test.example`,
        name: `${role} ${seq}`,
        role,
        passwordHash: options.passwordHash ?? null,
      });
      if (options.organizationId) {
        await t.db.insert(schema.userClientMapping).values({
          userId: row.id,
          organizationId: options.organizationId,
          externalUserId: externalUserId(options.organizationId, row.id),
        });
      }
      return (await getAuthUser(t.db, row.id))!;
    },
    async http(user, credential = "chat") {
      if (!server) {
        const api = createApiServer(deps);
        server = { api, url: (await api.listen(0, "127.0.0.1")).url };
      }
      let authorization: string | undefined;
      let cookie: string | undefined;
      if (user) {
        if (credential === "session") {
          const session = generateApiToken().token;
          await createSession(t.db, { userId: user.id, tokenHash: sha256(session), expiresAt: new Date(deps.now().getTime() + 86_400_000) });
          cookie = `${SESSION_COOKIE}=${session}`;
        } else {
          const token = generateApiToken();
          await createApiToken(t.db, { userId: user.id, name: "harness", prefix: token.prefix, tokenHash: token.hash, scope: credential });
          authorization = `Bearer ${token.token}`;
        }
      }
      // Without a token, the caller is a browser on the dashboard's own page: it names its Origin
      // (signing in is checked against cross-site request forgery: csrf.test.ts).
      const origin = server.url;
      return createTRPCClient<AppRouter>({
        links: [
          httpLink({
            url: `${server.url}/trpc`,
            transformer: superjson,
            headers: () => (authorization ? { authorization } : cookie ? { cookie, origin } : { origin }),
          }),
        ],
      });
    },
    async org(name) {
      const key = nextKey();
      const org = await createOrganization(t.db, t.secrets, { name: name ?? `Org ${++seq} ${randomUUID().slice(0, 6)}`, key });
      const admin = await harness.user("org_admin", { organizationId: org.id });
      return { id: org.id, key, admin };
    },
    async close() {
      await server?.api.close();
      await sim.close();
      await t.close();
    },
  };
  return harness;
}

/** internal.recordUsage's input for these events (the usage-event line format). */
export function usageBatch(events: readonly UsageEvent[]): { ndjson: string } {
  return { ndjson: encodeUsageEvents(events) };
}
