// Key rotation without an outage (issue 15): 20 clients keep chatting through the proxy while the
// provider rotates their organisation's provisioned key. The API switches the key in the database
// and deletes the old one on OpenRouter only after its grace period, which outlasts the proxy's
// identity cache: every request is answered 2xx, before, during and after, and the old key is gone
// upstream once the grace has passed. Short settings keep it quick: identity TTL 1.5 s, grace
// 6 s. Nothing here relies on the proxy retrying a 401 — the test checks none ever came back.
import { randomBytes } from "node:crypto";
import { createDeps, createLocalCaller, loadEnv, scheduleKeyRetirement } from "@mai/api";
import { createUser, getAuthUser } from "@mai/db";
import { testDrivers } from "@mai/db/testing";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INTERNAL_TOKEN, startSystem, type System } from "./system";

const MODEL = "openai/gpt-4o-mini";
const CLIENTS = 20;
const IDENTITY_TTL_MS = 1_500;
const GRACE_MS = 6_000;

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe.each(testDrivers())("key rotation under steady traffic on %s", (driver) => {
  let s: System;
  beforeAll(async () => {
    s = await startSystem(driver, { MAI_PROXY_IDENTITY_TTL_MS: String(IDENTITY_TTL_MS) });
  });
  afterAll(() => s.close());

  it("20 concurrent clients: zero non-2xx while the key rotates; the old key is deleted upstream after the grace", async () => {
    // The provider's side: an API on the same database with a short retirement grace (still far
    // longer than the proxy's identity TTL, as the API's README requires).
    const deps = createDeps({
      db: s.t.db,
      secrets: s.t.secrets,
      env: loadEnv({
        NODE_ENV: "test",
        MAI_INTERNAL_TOKEN: INTERNAL_TOKEN,
        MAI_OPENROUTER_BASE_URL: s.sim.url,
        MAI_OPENROUTER_EXTRA_HOSTS: s.sim.origin,
        MAI_KEY_RETIREMENT_GRACE_MS: String(GRACE_MS),
        LOG_LEVEL: "silent",
      }),
      logger: pino({ level: "silent" }),
    });
    const row = await createUser(s.t.db, { email: `provider-${randomBytes(3).toString("hex")}@rotation.example`, role: "provider_admin" });
    const provider = createLocalCaller(deps, (await getAuthUser(s.t.db, row.id))!);
    await provider.globalSettings.update({ provisioningKey: s.sim.managementKey });

    const org = await s.org({ members: CLIENTS });
    // From the client's own key to a provisioned one before any traffic (nothing to delete then).
    const first = await provider.organizations.rotateKey({ organizationId: org.id });
    expect(first.previousKeyDeleteAfter).toBeNull();
    const oldKey = first.provisionedKey;

    // Steady traffic: every client sends one request after the other (streamed and not, in turn)
    // until told to stop, and every answer is kept.
    const answers: { client: number; status: number; body: string; at: "before" | "during" | "after" }[] = [];
    let phase: "before" | "during" | "after" = "before";
    let stop = false;
    const client = async (i: number) => {
      for (let n = 0; !stop; n++) {
        const at = phase;
        const stream = n % 2 === 1;
        const res = await fetch(`${s.proxyUrl}/v1/chat/completions`, {
          method: "POST",
          headers: { authorization: `Bearer ${org.users[i]!.token}`, "content-type": "application/json" },
          body: JSON.stringify({ model: MODEL, max_tokens: 20, stream, messages: [{ role: "user", content: `rotation ${i} ${n}` }] }),
        });
        answers.push({ client: i, status: res.status, body: await res.text(), at });
      }
    };
    const countAt = (at: "before" | "during" | "after", i: number) => answers.filter((a) => a.client === i && a.at === at).length;
    const everyClient = (at: "before" | "during" | "after", n: number) => Array.from({ length: CLIENTS }, (_, i) => countAt(at, i) >= n).every(Boolean);

    const clients = Array.from({ length: CLIENTS }, (_, i) => client(i));
    let retirement: { stop(): void } | undefined;
    try {
      // Every client has been served with the old key: it is in the proxy's identity cache.
      await until(() => everyClient("before", 2));
      expect(s.sim.ledger({ key: oldKey }).length).toBeGreaterThan(0);

      phase = "during";
      const rotated = await provider.organizations.rotateKey({ organizationId: org.id });
      const newKey = rotated.provisionedKey;
      expect(rotated.previousKeyDeleted).toBe(false);
      expect(rotated.previousKeyDeleteAfter).toBeInstanceOf(Date);
      // The old key is still there until the grace has passed; the job deletes it then.
      expect(s.sim.getKey(oldKey)).toBeDefined();
      retirement = scheduleKeyRetirement(deps, 100);
      await until(() => s.sim.getKey(oldKey) === undefined);

      // After the deletion, every client is served again — with the new key.
      phase = "after";
      await until(() => everyClient("after", 2));
      stop = true;
      await Promise.all(clients);

      const failed = answers.filter((a) => a.status < 200 || a.status >= 300);
      expect(failed.map((a) => ({ status: a.status, at: a.at, body: a.body.slice(0, 300) }))).toEqual([]);
      expect(answers.filter((a) => a.at === "during").length).toBeGreaterThan(0);
      expect(s.sim.ledger({ key: newKey }).length).toBeGreaterThan(0);
      // OpenRouter never refused a key: every chat request it received was charged, so the grace
      // alone did it — the proxy never had a 401 to retry on (its retry would hide one from the client).
      expect(s.sim.stats().chatRequests).toBe(s.sim.totals().all.count);
      expect(s.sim.totals().all.count).toBe(answers.length);
    } finally {
      stop = true;
      retirement?.stop();
      await Promise.allSettled(clients);
    }
  }, 120_000);
});
