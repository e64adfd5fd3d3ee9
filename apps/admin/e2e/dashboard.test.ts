// The provider-to-client workflow in a real browser (Chromium) against the built dashboard, the
// real API, the real proxy and the OpenRouter simulator:
//   provider signs in → sets the provisioning key → creates an organisation with a provisioned key
//   (shown once) → the client's administrator signs in → saves that key under Connections → sync
//   "claimed" → creates an API token → chat requests go through the proxy with it → Overview and
//   Usage show the requests and the exact billed cost → the CSV statement matches → another
//   organisation's administrator cannot see any of it.
// Screenshots of every page go to test-results/e2e/ (CI artifacts).
import { randomUUID } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { billedCost, markupFromMultiplier, nanoToUsdString } from "@mai/domain";
import { money } from "../src/lib/format";
import { FIXTURE_MANAGEMENT_KEY } from "@mai/openrouter/simulator";
import { recordRefusals, schema } from "@mai/db";
import { eq, testDrivers } from "@mai/db/testing";
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifactShot, signIn } from "./pages";
import { startE2ESystem, type E2ESystem } from "./system";

const ORG_NAME = "Kowalski Consulting";
const MARKUP = "1.5";
const DOCS_SCREENSHOTS = join(import.meta.dirname, "..", "..", "..", "docs", "screenshots");
/** The pictures the README shows (of the PGlite pass). */
const DOCS_PICTURES = new Set(["overview", "usage", "organizations", "connections-claimed", "organization-created", "user-mapping", "audit-log", "members"].map((n) => `pglite-${n}`));

async function shot(page: Page, name: string): Promise<void> {
  const file = await artifactShot(page, name);
  // MAI_UPDATE_SCREENSHOTS=1 refreshes the README's pictures from this run.
  if (process.env.MAI_UPDATE_SCREENSHOTS === "1" && DOCS_PICTURES.has(name)) {
    mkdirSync(DOCS_SCREENSHOTS, { recursive: true });
    copyFileSync(file, join(DOCS_SCREENSHOTS, `${name}.png`));
  }
}

const visible = (locator: Locator) => locator.first().waitFor({ state: "visible", timeout: 15_000 });

async function go(page: Page, link: string): Promise<void> {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: link, exact: true }).click();
  await page.getByRole("heading", { level: 1, name: link === "API tokens" ? "API tokens" : link }).waitFor();
}

describe.each(testDrivers())("dashboard end to end on %s", (driver) => {
  let s: E2ESystem;
  let provisionedKey = "";
  let token = "";
  let organizationId = "";

  beforeAll(async () => {
    s = await startE2ESystem(driver);
  });
  afterAll(async () => {
    await s?.close();
  });

  it("the provider sets the provisioning key and creates an organisation with a provisioned key, shown once", async () => {
    const { context, page } = await s.newPage();
    await signIn(page, s.provider);
    await shot(page, `${driver}-provider-overview-empty`);

    await go(page, "Settings");
    await page.getByLabel("Provisioning key").fill(FIXTURE_MANAGEMENT_KEY);
    await page.getByRole("button", { name: "Save settings" }).click();
    await visible(page.getByText("the provisioning key was verified"));
    expect(await page.getByText(FIXTURE_MANAGEMENT_KEY).count()).toBe(0);
    await shot(page, `${driver}-settings`);

    await go(page, "Organisations");
    await page.getByRole("button", { name: "New organisation" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Name", { exact: true }).fill(ORG_NAME);
    await dialog.getByLabel("Billing e-mail").fill("billing@kowalski.test");
    await dialog.getByLabel("Monthly limit (USD)").fill("250");
    await dialog.getByLabel("Markup").fill(MARKUP);
    expect(await dialog.getByLabel("Provision a dedicated OpenRouter key").isChecked()).toBe(true);
    await dialog.getByRole("button", { name: "Create organisation" }).click();
    const secret = dialog.getByTestId("secret-value");
    await visible(secret);
    provisionedKey = (await secret.textContent()) ?? "";
    expect(provisionedKey).toMatch(/^sk-or-v1-[0-9a-f]{64}$/);
    await visible(dialog.getByText("will not be shown again"));
    await shot(page, `${driver}-organization-created`);
    await page.keyboard.press("Escape");
    // Listed with the key masked; the full key is gone from the page.
    const row = page.getByRole("row").filter({ hasText: ORG_NAME });
    await visible(row);
    expect(await page.getByText(provisionedKey).count()).toBe(0);
    await shot(page, `${driver}-organizations`);
    await context.close();
  });

  it("the client's administrator saves the key under Connections: claimed, and their organisation appears", async () => {
    const { context, page } = await s.newPage();
    await signIn(page, s.clientAdmin);
    await go(page, "Connections");
    await page.getByLabel("Base URL").fill(s.sim.url);
    await page.getByLabel("API key").fill(provisionedKey);
    await page.getByRole("button", { name: "Add connection" }).click();
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await visible(page.getByText("Organisation sync: claimed."));
    await shot(page, `${driver}-connections-claimed`);

    await go(page, "Organisations");
    await visible(page.getByText(ORG_NAME).first());
    await shot(page, `${driver}-organization-admin-view`);

    await go(page, "API tokens");
    await page.getByLabel("Token name").fill("Open WebUI");
    await page.getByRole("button", { name: "Create token" }).click();
    token = (await page.getByTestId("secret-value").textContent()) ?? "";
    expect(token).toMatch(/^mai_[0-9a-f]{48}$/);
    // The page tells the user where the proxy is.
    expect(await page.getByLabel("Proxy base URL").textContent()).toBe(`${s.proxyUrl}/v1`);
    await shot(page, `${driver}-tokens`);

    const me = await page.evaluate(async () => (await (await fetch("/trpc/auth.me")).json()) as { result: { data: { json: { organizationId: string } } } });
    organizationId = me.result.data.json.organizationId;
    expect(organizationId).toMatch(/^[0-9a-f-]{36}$/);
    await context.close();
  });

  it("a save made elsewhere (Open WebUI's settings endpoint with the API token) shows as the last sync on Connections: failed with what to do, then unchanged", async () => {
    // As a chat client — or nginx mirroring Open WebUI — saves: not through the page.
    const saveElsewhere = async (key: string) => {
      const res = await fetch(`${s.apiUrl}/api/v1/users/user/settings/update`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ ui: { directConnections: { OPENAI_API_BASE_URLS: [s.sim.url], OPENAI_API_KEYS: [key], OPENAI_API_CONFIGS: {} } } }),
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { openrouterSync: { status: string } }).openrouterSync.status;
    };
    const rejected = `sk-or-v1-${"0e".repeat(32)}`; // unknown to OpenRouter: verification refuses it
    expect(await saveElsewhere(rejected)).toBe("failed");

    const { context, page } = await s.newPage();
    await signIn(page, s.clientAdmin);
    await go(page, "Connections");
    const card = page.getByRole("region", { name: "Last organisation sync" });
    await visible(card.getByText(/Last sync: failed, .+, via an API token\./));
    await visible(card.getByRole("alert"));
    expect(await card.textContent()).toContain("OpenRouter rejected this key");
    expect(await card.textContent()).toContain("What to do: your settings are saved; fix the problem and save again");
    expect(await page.getByText(rejected).count()).toBe(0);
    await shot(page, `${driver}-connections-last-sync-failed`);

    expect(await saveElsewhere(provisionedKey)).toBe("unchanged");
    await page.reload();
    await visible(card.getByText(/Last sync: nothing to change, .+, via an API token\./));
    expect(await card.getByRole("alert").count()).toBe(0);
    await context.close();
  });

  it("chat requests through the proxy show on Overview and Usage with the exact billed cost, and in the CSV statement", async () => {
    // Three non-streaming and two streaming requests through the proxy with the user's token.
    for (let i = 0; i < 5; i++) {
      const stream = i >= 3;
      const res = await fetch(`${s.proxyUrl}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "openai/gpt-4o-mini", stream, max_tokens: 40, messages: [{ role: "user", content: `Hello number ${i}` }] }),
      });
      expect(res.status).toBe(200);
      await res.text();
    }
    const charges = s.sim.ledger({ key: provisionedKey });
    expect(charges).toHaveLength(5);
    const markupBp = markupFromMultiplier(MARKUP);
    const billed = charges.map((c) => billedCost(c.costNano, markupBp));
    const total = billed.reduce((a, b) => a + b, 0n);

    const { context, page } = await s.newPage();
    await signIn(page, s.clientAdmin);
    // Usage reaches the API within the proxy's flush interval; the overview shows it on reload.
    await expect
      .poll(
        async () => {
          await page.reload();
          await page.getByRole("heading", { level: 1, name: "Overview" }).waitFor();
          await page.waitForLoadState("networkidle");
          return page.getByText(money(total)).count();
        },
        { timeout: 20_000, interval: 500 },
      )
      .toBeGreaterThan(0);
    // Today and month to date: five requests, the billed total as the dashboard formats it.
    const today = page.getByRole("region", { name: /^Today/ });
    expect(await today.getByText("5", { exact: true }).count()).toBe(1);
    expect(await today.getByText(money(total), { exact: true }).count()).toBe(1);
    await shot(page, `${driver}-overview`);

    await go(page, "Usage");
    // Each event's billed cost as the one formatter shows it (sub-cent: two significant digits).
    for (const amount of billed) await visible(page.getByText(money(amount)).first());
    await shot(page, `${driver}-usage`);

    const download = page.waitForEvent("download");
    await page.getByRole("button", { name: /Download statement/ }).click();
    const file = await (await download).path();
    const csv = readFileSync(file, "utf8");
    const totalLine = csv.split(/\r?\n/).find((line) => line.startsWith("TOTAL"));
    expect(totalLine).toBeDefined();
    expect(totalLine!.split(",")).toContain(nanoToUsdString(total));
    await context.close();
  });

  it("requests refused at the monthly limit show on the Usage page, on their day, beside the ledger", async () => {
    // As the proxy records them (internal.recordRefusals → recordRefusals); the proxy's side is
    // apps/proxy/test/limits.test.ts.
    const [admin] = await s.t.db.select({ id: schema.users.id }).from(schema.users).where(eq(schema.users.email, s.clientAdmin.email));
    const refusal = () => ({ id: randomUUID(), organizationId, userId: admin!.id, reason: "monthly_limit" as const, occurredAt: new Date() });
    expect(await recordRefusals(s.t.db, [refusal(), refusal()])).toMatchObject({ inserted: 2 });

    const { context, page } = await s.newPage();
    await signIn(page, s.clientAdmin);
    await go(page, "Usage");
    const byDay = page.getByRole("region", { name: "By day" });
    await visible(byDay.getByText("2 at the limit"));
    // The day's requests (the five chats above) and its refusals are one row.
    const row = byDay.getByRole("row").filter({ hasText: "2 at the limit" }).first();
    expect(await row.getByText("5", { exact: true }).count()).toBe(1);
    await context.close();
  });

  it("every page renders for the provider without a script error, and is kept as a screenshot", async () => {
    const { context, page } = await s.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("console", (message) => {
      // A refused sign-in or a 4xx answer is logged by the browser as a failed resource; not a script error.
      if (message.type() === "error" && !/Failed to load resource/.test(message.text())) errors.push(message.text());
    });
    await page.goto("/sign-in");
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    await shot(page, `${driver}-sign-in`);
    await signIn(page, s.provider);
    for (const [link, name] of [
      ["Overview", "provider-overview"],
      ["Usage", "provider-usage"],
      ["Organisations", "provider-organizations"],
      ["Members", "members"],
      ["User mapping", "user-mapping"],
      ["Connections", "provider-connections"],
      ["API tokens", "provider-tokens"],
      ["Settings", "provider-settings"],
      ["Audit log", "audit-log"],
    ] as const) {
      await go(page, link);
      await shot(page, `${driver}-${name}`);
    }
    // The audit log holds the workflow: the provisioning, the claim and the token.
    for (const action of ["organization.created", "org_sync.claimed", "token.created"]) {
      await visible(page.getByText(action, { exact: true }));
    }
    expect(errors).toEqual([]);
    await context.close();
  });

  it("another organisation's administrator sees only their own organisation", async () => {
    const { context, page } = await s.newPage();
    await signIn(page, s.otherAdmin);
    await go(page, "Organisations");
    await visible(page.getByText(s.otherAdmin.organizationName).first());
    expect(await page.getByText(ORG_NAME).count()).toBe(0);
    await go(page, "Usage");
    expect(await page.getByText(ORG_NAME).count()).toBe(0);
    // Asking the API directly for the first organisation is refused.
    const status = await page.evaluate(async (id) => {
      const input = encodeURIComponent(JSON.stringify({ json: { organizationId: id } }));
      return (await fetch(`/trpc/usage.summary?input=${input}`)).status;
    }, organizationId);
    expect(status).toBe(403);
    await shot(page, `${driver}-other-organization`);
    await context.close();
  });
});
