// Sign-in throttling (issue 14). What was seen: five wrong guesses by anyone locked the right
// password out for 15 minutes; behind a TLS reverse proxy every client shared one socket address, so
// 20 failures locked out everyone; the counts lived in one process's memory. Now: counts in the
// database, per account and per client address, exponential delays to a cap instead of a lock, a
// known device (a browser the owner signed in from) throttled on its own count only, and the
// client address taken from X-Forwarded-For only behind a configured trusted proxy.
//
// Over real HTTP (cookies, headers, two API instances), with the deps' clock moved instead of waiting.
import { schema, type AuthUser } from "@mai/db";
import { eq, testDrivers } from "@mai/db/testing";
import { SIGN_IN_THROTTLE } from "@mai/domain";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createDeps, type AppDeps } from "../src/deps";
import { loadEnv } from "../src/env";
import { createApiServer, type ApiServer } from "../src/server";
import { hashPassword } from "../src/services/auth/passwords";
import { Browser, type TrpcAnswer } from "./browser";
import { createHarness, INTERNAL_TOKEN, type Harness } from "./harness";

const PASSWORD = "a long and correct password";
const CAP_MS = SIGN_IN_THROTTLE.account.maxDelayMs;
const HOUR = 3_600_000;

describe.each(testDrivers())("sign-in throttling on %s", (driver) => {
  let h: Harness;
  let passwordHash: string;
  let clock: Date;
  const servers: ApiServer[] = [];

  /** Another API instance on the same database (its own process memory), with its own settings. */
  async function instance(env: Record<string, string> = {}): Promise<{ deps: AppDeps; url: string }> {
    const deps = createDeps({
      db: h.t.db,
      secrets: h.t.secrets,
      env: loadEnv({
        NODE_ENV: "test",
        MAI_INTERNAL_TOKEN: INTERNAL_TOKEN,
        MAI_ADMIN_DIST: "",
        LOG_LEVEL: "silent",
        ...env,
      }),
      logger: h.deps.logger,
      now: () => clock,
    });
    const server = createApiServer(deps);
    servers.push(server);
    return { deps, url: (await server.listen(0, "127.0.0.1")).url };
  }

  beforeAll(async () => {
    h = await createHarness(driver);
    clock = new Date("2026-05-04T09:00:00Z");
    passwordHash = await hashPassword(PASSWORD);
  });
  afterAll(async () => {
    for (const server of servers) await server.close();
    await h.close();
  });
  beforeEach(() => {
    // Each test a couple of days later: counts are forgotten after a quiet day.
    clock = new Date(clock.getTime() + 48 * HOUR);
  });

  const owner = (email: string): Promise<AuthUser> => h.user("org_admin", { passwordHash, email });

  /** Guesses until `count` failures were counted, moving the clock past each wait; returns the waits seen. */
  async function attack(
    url: string,
    email: string,
    count: number,
    address: (i: number) => string | undefined,
  ): Promise<number[]> {
    const waits: number[] = [];
    let failures = 0;
    for (let i = 0; failures < count; i++) {
      const b = new Browser(url);
      const ip = address(i);
      if (ip) b.headers["x-forwarded-for"] = ip;
      const answer = await b.signIn(email, `wrong guess number ${i}`);
      if (answer.code === "TOO_MANY_REQUESTS") {
        waits.push(answer.retryAfterSeconds! * 1000);
        clock = new Date(clock.getTime() + answer.retryAfterSeconds! * 1000);
      } else {
        expect(answer, JSON.stringify(answer)).toMatchObject({
          code: "UNAUTHORIZED",
          message: "Wrong e-mail or password.",
        });
        failures++;
      }
    }
    return waits;
  }

  const throttled = (answer: TrpcAnswer) => {
    expect(answer).toMatchObject({ ok: false, status: 429, code: "TOO_MANY_REQUESTS" });
    expect(answer.message).toMatch(
      /^Too many failed sign-in attempts (for this account|for this account on this browser|from your network)\. Try again in \d+ (second|minute)s?( and \d+ seconds?)?\.$/,
    );
    return answer.retryAfterSeconds! * 1000;
  };

  it("five wrong guesses by a stranger no longer lock the owner out: a known device signs in, a new one waits a second", async () => {
    const { url } = await instance();
    const user = await owner("five@example.com");
    const laptop = new Browser(url);
    expect((await laptop.signIn(user.email, PASSWORD)).ok).toBe(true);
    expect(laptop.cookie("mai_device")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await laptop.mutate("auth.logout");

    await attack(url, user.email, 6, () => undefined);
    expect((await laptop.signIn(user.email, PASSWORD)).ok).toBe(true);
    const wait = throttled(await new Browser(url).signIn(user.email, PASSWORD));
    expect(wait).toBe(1000);
    clock = new Date(clock.getTime() + wait);
    expect((await new Browser(url).signIn(user.email, PASSWORD)).ok).toBe(true);
  });

  it("an attacker's 50 failures from other addresses do not stop the owner's known device; a new device waits at most the cap", async () => {
    const { url } = await instance({ MAI_TRUST_PROXY: "loopback" });
    const user = await owner("known@example.com");
    const laptop = new Browser(url);
    laptop.headers["x-forwarded-for"] = "198.51.100.7";
    expect((await laptop.signIn(user.email, PASSWORD)).ok).toBe(true);
    await laptop.mutate("auth.logout");

    const waits = await attack(url, user.email, 50, (i) => `203.0.113.${i % 250}`);
    // Exponential delays, never beyond the cap: 1 s, 2 s, 4 s … 5 minutes.
    expect(waits.slice(0, 4)).toEqual([1000, 2000, 4000, 8000]);
    expect(Math.max(...waits)).toBeLessThanOrEqual(CAP_MS);

    // Right after the attacker's last failure: the known device goes straight in …
    const signIn = await laptop.signIn(user.email, PASSWORD);
    expect(signIn.ok, signIn.message).toBe(true);
    await laptop.mutate("auth.logout");
    // … a new device is told to wait, at most the cap, and then signs in.
    const phone = new Browser(url);
    phone.headers["x-forwarded-for"] = "198.51.100.8";
    const wait = throttled(await phone.signIn(user.email, PASSWORD));
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(CAP_MS);
    clock = new Date(clock.getTime() + wait);
    expect((await phone.signIn(user.email, PASSWORD)).ok).toBe(true);
  });

  it("a known device is throttled on its own count: the owner's own typos slow only that browser", async () => {
    const { url } = await instance();
    const user = await owner("typos@example.com");
    const laptop = new Browser(url);
    expect((await laptop.signIn(user.email, PASSWORD)).ok).toBe(true);
    await laptop.mutate("auth.logout");
    for (let i = 0; i < 6; i++)
      expect((await laptop.signIn(user.email, `typo ${i}`)).code).toBe("UNAUTHORIZED");
    expect(throttled(await laptop.signIn(user.email, PASSWORD))).toBe(1000);
    // The account's own count was not touched: a new device signs in at once.
    expect((await new Browser(url).signIn(user.email, PASSWORD)).ok).toBe(true);
    // A device cookie of another account counts for nothing here.
    const other = await owner("typos-other@example.com");
    const borrowed = new Browser(url);
    borrowed.cookies.set("mai_device", laptop.cookie("mai_device")!);
    await attack(url, other.email, 6, () => undefined);
    throttled(await borrowed.signIn(other.email, PASSWORD));
  });

  it("X-Forwarded-For is ignored without MAI_TRUST_PROXY: every guess counts against the socket's address", async () => {
    const { url } = await instance();
    // Password spraying: one guess at each of 21 accounts, each claiming another address.
    for (let i = 0; i < 21; i++) {
      const b = new Browser(url);
      b.headers["x-forwarded-for"] = `203.0.113.${i}`;
      expect((await b.signIn(`spray-${i}@example.com`, "wrong password guess")).code).toBe("UNAUTHORIZED");
    }
    const user = await owner("untrusted@example.com");
    const b = new Browser(url);
    b.headers["x-forwarded-for"] = "198.51.100.99";
    const answer = await b.signIn(user.email, PASSWORD);
    throttled(answer);
    expect(answer.message).toMatch(/from your network/);
    // Audit and session rows record the socket's address, not the claimed one.
    clock = new Date(clock.getTime() + 1000);
    expect((await b.signIn(user.email, PASSWORD)).ok).toBe(true);
    const [entry] = await h.t.db.select().from(schema.auditLog).where(eq(schema.auditLog.targetId, user.id));
    expect(entry!.ip).toBe("127.0.0.1");
  });

  it("X-Forwarded-For is honoured from a trusted proxy (MAI_TRUST_PROXY), and only from one", async () => {
    const trusted = await instance({ MAI_TRUST_PROXY: "loopback" });
    for (let i = 0; i < 21; i++) {
      const b = new Browser(trusted.url);
      b.headers["x-forwarded-for"] = `203.0.113.${i}`;
      expect((await b.signIn(`trusted-spray-${i}@example.com`, "wrong password guess")).code).toBe(
        "UNAUTHORIZED",
      );
    }
    const user = await owner("trusted@example.com");
    const b = new Browser(trusted.url);
    b.headers["x-forwarded-for"] = "198.51.100.23";
    expect((await b.signIn(user.email, PASSWORD)).ok).toBe(true);
    const [entry] = await h.t.db.select().from(schema.auditLog).where(eq(schema.auditLog.targetId, user.id));
    expect(entry!.ip).toBe("198.51.100.23");

    // A proxy list that does not include the socket's address: the header is ignored again.
    const elsewhere = await instance({ MAI_TRUST_PROXY: "10.0.0.0/8" });
    for (let i = 0; i < 21; i++) {
      const s = new Browser(elsewhere.url);
      s.headers["x-forwarded-for"] = `203.0.113.${100 + i}`;
      await s.signIn(`elsewhere-spray-${i}@example.com`, "wrong password guess");
    }
    const c = new Browser(elsewhere.url);
    c.headers["x-forwarded-for"] = "198.51.100.24";
    expect((await c.signIn(user.email, PASSWORD)).message).toMatch(/from your network/);
  });

  it("MAI_TRUST_PROXY that is not a list of addresses is refused at startup, in words", () => {
    expect(() => loadEnv({ MAI_TRUST_PROXY: "not-an-address" })).toThrow(/MAI_TRUST_PROXY/);
    expect(loadEnv({ MAI_TRUST_PROXY: "loopback, 10.0.0.0/8 ,192.168.1.1" }).MAI_TRUST_PROXY).toEqual([
      "loopback",
      "10.0.0.0/8",
      "192.168.1.1",
    ]);
  });

  it("two API instances on one database share the counts", async () => {
    const a = await instance();
    const b = await instance();
    const user = await owner("shared@example.com");
    await attack(a.url, user.email, 6, () => undefined);
    throttled(await new Browser(b.url).signIn(user.email, PASSWORD));
  });

  it("concurrent guesses are admitted one at a time: never more than the schedule allows", async () => {
    const { url } = await instance({ MAI_TRUST_PROXY: "loopback" });
    const user = await owner("burst@example.com");
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => {
        const b = new Browser(url);
        b.headers["x-forwarded-for"] = `203.0.113.${i}`;
        return b.signIn(user.email, `burst guess ${i}`);
      }),
    );
    const checked = answers.filter((a) => a.code === "UNAUTHORIZED").length;
    // The free failures, and the one that starts the first wait; the rest are refused unchecked.
    expect(checked).toBe(SIGN_IN_THROTTLE.account.freeFailures + 1);
    expect(answers.filter((a) => a.code === "TOO_MANY_REQUESTS")).toHaveLength(30 - checked);
  });
});
