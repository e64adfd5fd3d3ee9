// Hostile input is normal input (issue 12): no request, header, cookie, body or timing a client
// controls ends the API process or leaves an unhandled rejection; every client mistake gets a 4xx
// in words; a 5xx body never carries SQL, stacks, parameters or library messages; a refused
// mutation leaves no row behind and no key minted upstream.
//
// 1. Raw HTTP over net sockets (broken request lines, absolute-form targets `new URL()` refuses,
//    malformed cookies, invalid UTF-8 and NUL, huge and deep bodies, batches, clients leaving
//    mid-body): a status < 500 for each (Node's own 400/431 count), /healthz 200 afterwards.
// 2. Every procedure of appRouter (enumerated, so a new one is covered the day it is written), its
//    input generated from its zod schemas (hostile/zod-arbitrary.ts), called over real HTTP with
//    superjson as anonymous, member, client administrator (own and other organisation), provider
//    and the internal token: success or a status < 500; a failed mutation changes no table count
//    and mints no key upstream.
// 3. Every 5xx body seen is checked for leaks (SQL, stack frames, 64-hex hashes, URI malformed…).
//
// Each procedure is its own test case, and each keeps searching after its first defect (see
// hostile/oracle.ts `hunt`), so one failure never hides another. Set MAI_HOSTILE_REPORT=<dir> to
// get every finding as JSON. Tuning: MAI_HOSTILE_RUNS (per procedure and round, default 100),
// MAI_HOSTILE_ROUNDS (distinct defects searched per procedure, default 4), MAI_HOSTILE_RAW_RUNS
// (default 200) and MAI_HOSTILE_RAW_ROUNDS (default 24), MAI_HOSTILE_TIME_LIMIT_MS (per round,
// default 45 000), MAI_HOSTILE_SEED (replay a run: the seed a finding reports).
import type { Driver } from "@mai/db";
import { TRPCClientError } from "@trpc/client";
import fc from "fast-check";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "../../src/routers/_app";
import { createHarness, INTERNAL_TOKEN, type Harness } from "../harness";
import { worldHints } from "./hints";
import {
  clip,
  features,
  formatFindings,
  hasWords,
  hunt,
  leaksIn,
  show,
  type Failure,
  type Finding,
} from "./oracle";
import { BODY, buildRequest, rawRequestArbitrary, sendRaw, type RawRequest } from "./raw-http";
import {
  countDiff,
  createWorld,
  errorLogsSince,
  IDENTITIES,
  recordDbErrors,
  recordUnhandled,
  schemaTables,
  simKeyCount,
  startServer,
  tableCounts,
  type DbErrorRecorder,
  type Identity,
  type Server,
  type UnhandledRecorder,
  type World,
} from "./world";
import { procedureInputArbitrary } from "./zod-arbitrary";

const env = (name: string, fallback: number) => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};
const RUNS = env("MAI_HOSTILE_RUNS", 100);
const RAW_RUNS = env("MAI_HOSTILE_RAW_RUNS", 200);
const ROUNDS = env("MAI_HOSTILE_ROUNDS", 4);
const RAW_ROUNDS = env("MAI_HOSTILE_RAW_ROUNDS", 24);
const TIME_LIMIT_MS = env("MAI_HOSTILE_TIME_LIMIT_MS", 45_000);
const SEED = process.env.MAI_HOSTILE_SEED ? Number(process.env.MAI_HOSTILE_SEED) : undefined;
/** A request that has not been answered by then is reported as a hang (not a timing assertion). */
const CALL_TIMEOUT_MS = env("MAI_HOSTILE_CALL_TIMEOUT_MS", 20_000);
const TEST_TIMEOUT_MS = TIME_LIMIT_MS * ROUNDS + 120_000;
const RAW_TEST_TIMEOUT_MS = TIME_LIMIT_MS * RAW_ROUNDS + 120_000;

interface ProcedureInfo {
  path: string;
  type: "query" | "mutation" | "subscription";
  inputs: unknown[];
}
const PROCEDURES: ProcedureInfo[] = Object.entries(
  (
    appRouter._def as unknown as {
      procedures: Record<string, { _def: { type: ProcedureInfo["type"]; inputs: unknown[] } }>;
    }
  ).procedures,
).map(([path, p]) => ({ path, type: p._def.type, inputs: p._def.inputs }));

/** Who calls: mostly someone who may, so the input reaches the service. */
function identityArbitrary(path: string): fc.Arbitrary<Identity> {
  const weights: Record<Identity, number> = path.startsWith("internal.")
    ? { internal: 8, anonymous: 1, member: 1, adminA: 0, adminB: 0, provider: 1 }
    : path.startsWith("organizations.") || path.startsWith("globalSettings.")
      ? { provider: 6, adminA: 2, adminB: 1, member: 1, anonymous: 1, internal: 1 }
      : { provider: 4, adminA: 4, adminB: 1, member: 2, anonymous: 1, internal: 1 };
  return fc.oneof(
    ...IDENTITIES.filter((i) => weights[i] > 0).map((i) => ({
      weight: weights[i],
      arbitrary: fc.constant(i),
    })),
  );
}

function classify(target: string): string {
  if (/^\S+ (http:\/\/[^/]*)?\/trpc\//.test(target)) return "tRPC";
  if (target.includes("/api/v1/users/user/settings/update")) return "REST settings update";
  if (target.includes("/api/v1/users/user/settings")) return "REST settings";
  if (/^\S+ (\/healthz|\/readyz)/.test(target)) return "health";
  if (/^\S+ http:/.test(target)) return "absolute-form";
  return "other";
}

/** The whole hostile-input suite on one database driver (one test file each, so they run in parallel). */
export function hostileSuite(driver: Driver): void {
describe(`hostile input (${driver})`, () => {
  let h: Harness;
  let server: Server;
  let unhandled: UnhandledRecorder;
  let dbErrors: DbErrorRecorder;
  const tables = schemaTables();
  const findings: Finding[] = [];

  beforeAll(async () => {
    h = await createHarness(driver, { LOG_LEVEL: "warn" });
    server = await startServer(h);
    unhandled = recordUnhandled();
    dbErrors = recordDbErrors();
  }, 120_000);

  afterAll(async () => {
    unhandled?.dispose();
    dbErrors?.dispose();
    if (server) {
      const open = await new Promise<number>((resolve) =>
        server.api.server.getConnections((_e, n) => resolve(n)),
      );
      if (process.env.MAI_HOSTILE_DEBUG) console.log(`connections still open at the end: ${open}`);
      // Requests the server never answered (a crashed handler) keep their sockets: end them.
      server.api.server.closeAllConnections();
      await server.api.close();
    }
    await h?.close();
    const dir = process.env.MAI_HOSTILE_REPORT;
    if (dir) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `hostile-${driver}.json`), JSON.stringify(findings, null, 2));
    }
  }, 120_000);

  /** The driver errors raised since `from`, values blanked (for signatures). */
  function dbErrorsSince(from: number): string[] {
    return [
      ...new Set(
        dbErrors.errors.slice(from).map((e) =>
          e
            .replace(/"[^"]*"/g, '"…"')
            .replace(/\d+/g, "N")
            .slice(0, 120),
        ),
      ),
    ];
  }

  async function healthz(): Promise<number | string> {
    try {
      const res = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
      await res.text();
      return res.status;
    } catch (error) {
      return `no answer (${(error as Error).message})`;
    }
  }

  it("the router has procedures, each a query or a mutation with its schemas", () => {
    expect(PROCEDURES.length).toBeGreaterThan(30);
    for (const p of PROCEDURES) expect(["query", "mutation"]).toContain(p.type);
  });

  // -------------------------------------------------------------------------------------------
  // 1. Raw HTTP

  // Concrete requests that must always be tried (the generator finds more). `bearer`: a real token.
  const rawExamples = (bearer: [string, string]): RawRequest[] => {
    const json: [string, string] = ["content-type", "application/json"];
    const REST = "/api/v1/users/user/settings/update";
    const post = (target: string, body: string, headers: [string, string][] = [bearer], abort = false) =>
      buildRequest({ method: "POST", target, headers: [...headers, json], body: BODY[body], abort });
    return [
      buildRequest({ method: "GET", target: "http://[::1/" }),
      buildRequest({ method: "GET", target: "http://[::1]:99999/healthz" }),
      buildRequest({ method: "GET", target: "//" }),
      buildRequest({
        method: "GET",
        target: "/api/v1/users/user/settings",
        headers: [["cookie", "mai_session=%E0%A4%A"]],
      }),
      post(REST, "REST settings", [["cookie", "mai_session=%E0%A4%A"]]),
      buildRequest({ method: "GET", target: "/trpc/auth.me", headers: [["cookie", "mai_session=%E0%A4%A"]] }),
      post("/trpc/settings.update", "superjson settings", [["cookie", "mai_session=%"]]),
      post(REST, "huge REST (2 MiB)"),
      post("/trpc/settings.update", "huge (2 MiB)"),
      post("/trpc/settings.update", "deep object superjson (20k)"),
      post("/trpc/settings.update", "deep superjson meta"),
      post("/trpc/settings.update", "superjson meta garbage"),
      post("/trpc/settings.update", "superjson meta referential"),
      post("/trpc/settings.update", "invalid utf-8 superjson"),
      post("/trpc/settings.update", "escaped NUL"),
      post("/trpc/settings.update", "lone surrogate (superjson)"),
      post("/trpc/settings.update", "batch body"),
      post("/trpc/settings.update?batch=1", "batch body"),
      post("/trpc/internal.reserve", "superjson bad bigint", [["x-mai-internal-token", INTERNAL_TOKEN]]),
      post(REST, "deep object REST (20k)"),
      post(REST, "deep object REST (2k)"),
      // …and reading back what was saved (a document that deep must be refused, or readable).
      buildRequest({ method: "GET", target: "/trpc/settings.get", headers: [bearer] }),
      buildRequest({ method: "GET", target: "/api/v1/users/user/settings", headers: [bearer] }),
      post(REST, "escaped NUL (REST)"),
      post(REST, "lone surrogate (REST)"),
      post(REST, "invalid utf-8"),
      buildRequest({ method: "GET", target: "/trpc/auth.me,auth.me?batch=1&input=%E0%A4%A" }),
      buildRequest({
        method: "GET",
        target: `/trpc/usage.events?input=${encodeURIComponent('{"json":{"cursor":"\\u0000"}}')}`,
        headers: [bearer],
      }),
      buildRequest({
        method: "GET",
        target: `/trpc/usage.events?input=${encodeURIComponent('{"json":{"model":"\\u0000"}}')}`,
        headers: [bearer],
      }),
      post(REST, "REST settings", [bearer], true),
      post("/trpc/settings.update", "superjson settings", [bearer], true),
    ];
  };

  it(
    "raw HTTP: every hostile request gets a status < 500 (or Node's own 400/431), nothing unhandled, /healthz 200 after",
    async () => {
      const world = await createWorld(h, server);
      const tokens = [world.tokens.adminA, world.tokens.member, world.tokens.provider];
      const found = await hunt(
        "raw HTTP",
        rawRequestArbitrary(tokens),
        async (req): Promise<Failure | null> => {
          const unhandledFrom = unhandled.errors.length;
          const logFrom = h.logs.length;
          const dbFrom = dbErrors.errors.length;
          const res = await sendRaw(server.port, req, {
            timeoutMs: CALL_TIMEOUT_MS,
            interrupted: unhandled.next(),
          });
          const health = await healthz();
          const crashes = unhandled.errors.slice(unhandledFrom);
          const logs = errorLogsSince(h, logFrom);
          const db = dbErrorsSince(dbFrom);
          const route = classify(req.label);
          // Node answers unparseable requests itself (400, 413, 417, 431): no x-request-id, no body.
          const ours = /\r\nx-request-id:/i.test(res.head);
          const problems: string[] = [];
          if (crashes.length)
            problems.push(`unhandled (${crashes.map((c) => c.replace(/\d+/g, "N")).join("; ")})`);
          if (res.status === null && req.abortAfter === undefined && !crashes.length)
            problems.push(`no response (${res.error ?? "closed"})`);
          if (res.status !== null && res.status >= 500) problems.push(`status ${res.status}`);
          const leaks = res.status !== null ? leaksIn(res.status, res.body) : [];
          if (leaks.length) problems.push(`leaks ${leaks.join(", ")}`);
          if (
            ours &&
            res.status !== null &&
            res.status >= 400 &&
            res.status < 500 &&
            req.method !== "HEAD" &&
            !hasWords(res.body)
          )
            problems.push("4xx without words");
          if (health !== 200) problems.push(`healthz ${String(health)}`);
          if (!problems.length) return null;
          const cause = res.status !== null && res.status < 500 && !crashes.length ? [] : db;
          return {
            signature: `${route}: ${problems.join(" + ")}${logs.length ? ` | logged ${[...new Set(logs)].join("; ")}` : ""}${cause.length ? ` | database ${cause.join("; ")}` : ""}`,
            detail: `status ${res.status ?? "none"}${res.error ? ` (${res.error})` : ""}; body ${clip(res.body)}${crashes.length ? `\nunhandled: ${crashes.join("; ")}` : ""}${logs.length ? `\nlogged: ${logs.join("; ")}` : ""}${cause.length ? `\ndatabase: ${dbErrors.errors.slice(dbFrom).join("; ")}` : ""}`,
          };
        },
        (req) => req.label,
        {
          numRuns: RAW_RUNS,
          rounds: RAW_ROUNDS,
          timeLimitMs: TIME_LIMIT_MS,
          seed: SEED,
          examples: rawExamples(["authorization", `Bearer ${world.tokens.adminA}`]),
        },
      );
      findings.push(...found);
      expect(found, formatFindings(found)).toEqual([]);
    },
    RAW_TEST_TIMEOUT_MS,
  );

  it("a refused input is told in words: tRPC's message and Open WebUI's detail are sentences, not a dump of zod issues", async () => {
    const world = await createWorld(h, server);
    const rc = world.clients.adminA;
    rc.last = null;
    await expect(rc.client.auth.revokeToken.mutate({ id: 5 } as never)).rejects.toThrow();
    const trpc = JSON.parse(rc.last!.body) as { error: { json: { message: string } } };
    const rest = await fetch(`${server.url}/api/v1/users/user/settings/update`, {
      method: "POST",
      headers: { authorization: `Bearer ${world.tokens.adminA}`, "content-type": "application/json" },
      body: JSON.stringify({ ui: "dark" }),
    });
    const detail = ((await rest.json()) as { detail: unknown }).detail;
    expect({ status: rc.last!.status, message: trpc.error.json.message }).toEqual({
      status: 400,
      message: expect.not.stringMatching(/^\s*[[{]/) as unknown,
    });
    expect({ status: rest.status, detail }).toEqual({
      status: 400,
      detail: expect.not.stringMatching(/^\s*[[{]/) as unknown,
    });
  });

  // -------------------------------------------------------------------------------------------
  // 2. Every procedure

  it.each(PROCEDURES)(
    "$path ($type): any input as anyone → a result or a status < 500; a refused mutation writes nothing, mints nothing",
    async (proc) => {
      const world: World = await createWorld(h, server);
      const hints = worldHints(h, world);
      const organizationIds = new Set([world.orgA.id, world.orgB.id]);
      const input = procedureInputArbitrary(proc.inputs, hints);
      const arbitrary = fc.record({ identity: identityArbitrary(proc.path), input });
      const [router, name] = proc.path.split(".") as [string, string];
      const mutation = proc.type === "mutation";

      const found = await hunt(
        proc.path,
        arbitrary,
        async ({ identity, input: value }): Promise<Failure | null> => {
          const rc = world.clients[identity];
          rc.last = null;
          const unhandledFrom = unhandled.errors.length;
          const logFrom = h.logs.length;
          const dbFrom = dbErrors.errors.length;
          const before = mutation ? await tableCounts(h, tables) : null;
          const keysBefore = mutation ? await simKeyCount(h) : 0;
          const abort = new AbortController();
          const timer = setTimeout(
            () => abort.abort(new Error(`no response within ${CALL_TIMEOUT_MS} ms`)),
            CALL_TIMEOUT_MS,
          );
          unhandled.next().then(
            (e) => abort.abort(new Error(e)),
            () => {},
          );
          const endpoint = (
            rc.client as unknown as Record<
              string,
              Record<
                string,
                Record<"query" | "mutate", (i: unknown, o: { signal: AbortSignal }) => Promise<unknown>>
              >
            >
          )[router]![name]!;
          let error: unknown;
          let ok = true;
          try {
            await (mutation
              ? endpoint.mutate(value, { signal: abort.signal })
              : endpoint.query(value, { signal: abort.signal }));
          } catch (e) {
            ok = false;
            error = e;
          } finally {
            clearTimeout(timer);
          }
          const crashes = unhandled.errors.slice(unhandledFrom);
          const raw = rc.last as { status: number; body: string } | null;
          if (!ok && !raw && !crashes.length && !abort.signal.aborted) {
            // Nothing was sent: the client refused the value (e.g. superjson cannot encode it).
            return null;
          }
          const status =
            raw?.status ??
            (error instanceof TRPCClientError
              ? ((error.data as { httpStatus?: number } | undefined)?.httpStatus ?? null)
              : null);
          const logs = errorLogsSince(h, logFrom);
          const problems: string[] = [];
          const details: string[] = [
            `as ${identity}: status ${status ?? "none"}; body ${clip(raw?.body ?? String(error))}`,
          ];
          if (crashes.length)
            problems.push(`unhandled (${crashes.map((c) => c.replace(/\d+/g, "N")).join("; ")})`);
          if (status === null && !crashes.length)
            problems.push(`no response (${error instanceof Error ? error.message : String(error)})`);
          if (status !== null && status >= 500) problems.push(`status ${status}`);
          if (raw && status !== null) {
            const leaks = leaksIn(status, raw.body, show(value, Number.POSITIVE_INFINITY));
            if (leaks.length) problems.push(`leaks ${leaks.join(", ")}`);
            if (status >= 400 && status < 500 && raw.body !== "" && !hasWords(raw.body))
              problems.push("4xx without words");
          }
          if (mutation && !ok && before) {
            const diff = countDiff(before, await tableCounts(h, tables));
            if (diff.length) {
              problems.push(`refused mutation changed ${diff.map((d) => d.split(" ")[0]).join(", ")}`);
              details.push(`rows: ${diff.join(", ")}`);
            }
            const keysAfter = await simKeyCount(h);
            if (keysAfter !== keysBefore) {
              problems.push("refused mutation left keys upstream");
              details.push(`simulator keys: ${keysBefore} → ${keysAfter}`);
            }
          }
          if (!problems.length) return null;
          const db = (status !== null && status >= 500) || crashes.length ? dbErrorsSince(dbFrom) : [];
          if (crashes.length) details.push(`unhandled: ${crashes.join("; ")}`);
          if (logs.length) details.push(`logged: ${logs.join("; ")}`);
          if (db.length) details.push(`database: ${dbErrors.errors.slice(dbFrom).join("; ")}`);
          return {
            signature: `${problems.join(" + ")}${logs.length ? ` | logged ${[...new Set(logs)].join("; ")}` : ""}${db.length ? ` | database ${db.join("; ")}` : ""}`,
            detail: details.join("\n"),
          };
        },
        ({ identity, input: value }) => `as ${identity}: ${show(value)}`,
        {
          numRuns: RUNS,
          rounds: ROUNDS,
          timeLimitMs: TIME_LIMIT_MS,
          seed: SEED,
          features: (v) => features((v as { input: unknown }).input, organizationIds),
        },
      );
      findings.push(...found);
      expect(found, formatFindings(found)).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );
});
}
