import { getProvisioningKey, listAudit, type AuthUser } from "@mai/db";
import { queryRows, sql, testDrivers } from "@mai/db/testing";
import { maskKey } from "@mai/domain";
import { OpenRouterClient } from "@mai/openrouter";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "../src/routers/_app";
import { createCallerFactory } from "../src/trpc";
import { createHarness, nextKey, type Harness, trpcCode, closedPort, json } from "./harness";

const FULL_KEY = /sk-or-v1-[0-9a-f]{64}/;


describe.each(testDrivers())("globalSettings on %s", (driver) => {
  let h: Harness;
  let provider: AuthUser;
  beforeAll(async () => {
    h = await createHarness(driver);
    provider = await h.user("provider_admin");
  });
  afterAll(() => h.close());

  it.each([
    ["get", (c: ReturnType<Harness["caller"]>) => c.globalSettings.get()],
    ["update", (c: ReturnType<Harness["caller"]>) => c.globalSettings.update({ currency: "EUR" })],
  ])("%s: anonymous → UNAUTHORIZED, member and org admin → FORBIDDEN, provider → OK", async (name, call) => {
    const org = await h.org();
    const member = await h.user("member", { organizationId: org.id });
    expect(await trpcCode(call(h.caller(null)))).toBe("UNAUTHORIZED");
    expect(await trpcCode(call(h.caller(member)))).toBe("FORBIDDEN");
    expect(await trpcCode(call(h.caller(org.admin)))).toBe("FORBIDDEN");
    expect(await trpcCode(call(h.caller(provider)))).toBe("OK");
    if (name === "update") await h.caller(provider).globalSettings.update({ currency: "USD" });
  });

  it("reads the business defaults: 1.3× markup, $1000 limit, USD, UTC, no provisioning key, self sign-up on", async () => {
    expect(await h.caller(provider).globalSettings.get()).toMatchObject({
      selfSignupEnabled: true,
      provisioningKeyHint: null,
      defaultMarkupBp: 13_000,
      defaultMarkup: "1.3",
      defaultMonthlyLimitNano: 1_000_000_000_000n,
      currency: "USD",
      billingTimeZone: "UTC",
    });
  });

  it("updates markup (multiplier), limit (USD), currency and time zone exactly, and audits the change", async () => {
    const saved = await h.caller(provider).globalSettings.update({
      defaultMarkup: "1.25",
      defaultMonthlyLimitUsd: "250.5",
      currency: "pln",
      billingTimeZone: "Europe/Warsaw",
    });
    expect(saved).toMatchObject({
      defaultMarkupBp: 12_500,
      defaultMarkup: "1.25",
      defaultMonthlyLimitNano: 250_500_000_000n,
      currency: "PLN",
      billingTimeZone: "Europe/Warsaw",
    });
    expect(await h.caller(provider).globalSettings.get()).toEqual(saved);
    const [entry] = (await listAudit(h.t.db, { limit: 1 })).items;
    expect(entry).toMatchObject({
      action: "global_settings.updated",
      actorUserId: provider.id,
      before: {
        defaultMarkupBp: 13_000,
        defaultMonthlyLimitNano: "1000000000000",
        currency: "USD",
        billingTimeZone: "UTC",
      },
      after: {
        defaultMarkupBp: 12_500,
        defaultMonthlyLimitNano: "250500000000",
        currency: "PLN",
        billingTimeZone: "Europe/Warsaw",
      },
    });
    await h
      .caller(provider)
      .globalSettings.update({
        defaultMarkup: 1.3,
        defaultMonthlyLimitUsd: "1000",
        currency: "USD",
        billingTimeZone: "UTC",
      });
  });

  it.each([
    ["a markup below 1×", { defaultMarkup: "0.9" }],
    ["a markup with 5 decimals", { defaultMarkup: "1.23456" }],
    ["a negative limit", { defaultMonthlyLimitUsd: "-5" }],
    ["a limit that is not a number", { defaultMonthlyLimitUsd: "1,000" }],
    ["an unknown time zone", { billingTimeZone: "Mars/Olympus" }],
    ["a two-letter currency", { currency: "US" }],
  ])("refuses %s with BAD_REQUEST and changes nothing", async (_name, input) => {
    const before = await h.caller(provider).globalSettings.get();
    expect(await trpcCode(h.caller(provider).globalSettings.update(input))).toBe("BAD_REQUEST");
    expect(await h.caller(provider).globalSettings.get()).toEqual(before);
  });

  it("stores a verified management key sealed and shows it only masked, in responses and the audit log", async () => {
    const key = h.sim.managementKey;
    const saved = await h.caller(provider).globalSettings.update({ provisioningKey: key });
    expect(saved.provisioningKeyHint).toBe(maskKey(key));
    expect(saved.provisioningKeyHint).toContain("…");
    const read = await h.caller(provider).globalSettings.get();
    expect(json(read)).not.toMatch(FULL_KEY);
    expect(json(saved)).not.toMatch(FULL_KEY);
    expect(await getProvisioningKey(h.t.db, h.t.secrets)).toBe(key);
    const rows = await queryRows<{ sealed: string }>(
      h.t.db,
      sql`select provisioning_key_ciphertext as sealed from global_settings`,
    );
    expect(rows[0]?.sealed).toBeTruthy();
    expect(rows[0]?.sealed).not.toContain(key.slice(9));
    const audit = await listAudit(h.t.db, { limit: 5 });
    expect(audit.items[0]).toMatchObject({
      action: "global_settings.updated",
      after: { provisioningKeyHint: maskKey(key) },
    });
    expect(json(audit)).not.toContain(key.slice(9));
  });

  it("re-sending the masked hint keeps the stored key; another mask is refused; null removes the key", async () => {
    const key = h.sim.managementKey;
    await h.caller(provider).globalSettings.update({ provisioningKey: key });
    await h.caller(provider).globalSettings.update({ provisioningKey: maskKey(key), currency: "EUR" });
    expect(await getProvisioningKey(h.t.db, h.t.secrets)).toBe(key);
    expect(
      await trpcCode(h.caller(provider).globalSettings.update({ provisioningKey: "sk-or-v1-dead…beef" })),
    ).toBe("BAD_REQUEST");
    const removed = await h
      .caller(provider)
      .globalSettings.update({ provisioningKey: null, currency: "USD" });
    expect(removed.provisioningKeyHint).toBeNull();
    expect(await getProvisioningKey(h.t.db, h.t.secrets)).toBeNull();
  });

  it("refuses an inference key: the provisioning key must be a management key", async () => {
    await h.caller(provider).globalSettings.update({ provisioningKey: null });
    const attempt = h.caller(provider).globalSettings.update({ provisioningKey: h.sim.apiKey });
    await expect(attempt).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/management key/),
    });
    expect(await getProvisioningKey(h.t.db, h.t.secrets)).toBeNull();
  });

  it("refuses a key OpenRouter does not know (401) and a malformed key, with clear messages", async () => {
    await h.caller(provider).globalSettings.update({ provisioningKey: null });
    const unknown = h.caller(provider).globalSettings.update({ provisioningKey: nextKey() });
    await expect(unknown).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/OpenRouter rejected this key/),
    });
    const malformed = h.caller(provider).globalSettings.update({ provisioningKey: "sk-or-v1-abc" });
    await expect(malformed).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/malformed/),
      // The key-format refusal is the catalog's (SERVER_MESSAGES.key), keyed for a translating client.
      cause: { messageKey: "key.malformed_v1", messageParams: {}, details: { code: "malformed_v1" } },
    });
    const disabled = h.sim.addManagementKey({ key: nextKey(), disabled: true });
    expect(await trpcCode(h.caller(provider).globalSettings.update({ provisioningKey: disabled.key }))).toBe(
      "BAD_REQUEST",
    );
    expect(await getProvisioningKey(h.t.db, h.t.secrets)).toBeNull();
  });

  it("an unreachable OpenRouter → BAD_GATEWAY, and nothing is saved", async () => {
    await h.caller(provider).globalSettings.update({ provisioningKey: null, currency: "USD" });
    const port = await closedPort();
    const ctx = h.context(provider);
    const down = {
      ...ctx,
      deps: {
        ...ctx.deps,
        openrouter: new OpenRouterClient({ baseUrl: `http://127.0.0.1:${port}/api/v1`, timeoutMs: 2_000 }),
      },
    };
    const caller = createCallerFactory(appRouter)(down);
    const attempt = caller.globalSettings.update({ provisioningKey: h.sim.managementKey, currency: "EUR" });
    await expect(attempt).rejects.toMatchObject({ code: "BAD_GATEWAY" });
    expect(await getProvisioningKey(h.t.db, h.t.secrets)).toBeNull();
    expect((await h.caller(provider).globalSettings.get()).currency).toBe("USD");
    // The key never reaches a log line either.
    expect(h.logs.join("\n")).not.toContain(h.sim.managementKey.slice(9));
  });
});
