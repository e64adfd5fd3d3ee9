// Raw cost visibility in the browser (issue 18), with the provider's setting at its default (off):
// a client administrator's Organisations page states no markup and their Usage page shows no raw
// cost (no column, no "raw" line under an event's billed cost) — the API's answers carry none — while
// the provider sees both; a member's Overview has no "Top users" list of one, but their models; and
// axe-core finds nothing on those pages. Turning the setting on brings the client's markup back.
import { recordUsageEvents, updateGlobalSettings, type UsageEventInput } from "@mai/db";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addMember, axeViolations, settle, signIn } from "./pages";
import { startE2ESystem, type Account, type E2ESystem } from "./system";

async function open(page: Page, path: string, heading: string): Promise<void> {
  await page.goto(path);
  await page.getByRole("heading", { level: 1, name: heading }).waitFor();
  await settle(page);
}

describe("raw cost and markup in the dashboard (PGlite)", () => {
  let s: E2ESystem;
  let member: Account;

  beforeAll(async () => {
    s = await startE2ESystem("pglite");
    member = { email: "jan@nowak.test", password: "member password e2e" };
    const seeded = await addMember(s, { ...member, name: "Jan Zieliński" });
    const { organizationId } = seeded;
    const now = Date.now();
    const events: UsageEventInput[] = [seeded.admin, seeded.member].flatMap((user, u) =>
      ["openai/gpt-4o-mini", "anthropic/claude-3.5-sonnet"].map((model, m) => ({
        generationId: `gen-provider-cost-${u}-${m}`,
        organizationId,
        ...user,
        model,
        promptTokens: 1200,
        completionTokens: 300,
        rawCostNano: 2_000_000n * BigInt(m + 1),
        markupBp: 15_000,
        status: "ok" as const,
        streamed: true,
        occurredAt: new Date(now - (u * 2 + m + 1) * 60_000),
      })),
    );
    await recordUsageEvents(s.t.db, events);
  });
  afterAll(async () => {
    await s?.close();
  });

  it("a client administrator sees billed amounts only: no markup, no raw cost, no margin", async () => {
    const { context, page } = await s.newPage();
    try {
      await signIn(page, s.otherAdmin);
      await open(page, "/organizations", "Organisations");
      await page.getByText(s.otherAdmin.organizationName).first().waitFor();
      const organisations = await page.locator("main").innerText();
      expect(organisations).not.toMatch(/markup/i);
      expect(organisations).not.toMatch(/× the OpenRouter cost/);
      expect(await axeViolations(page)).toEqual([]);

      await open(page, "/usage", "Usage");
      await page.getByRole("table", { name: "Usage by model" }).waitFor();
      await page.getByText("anthropic/claude-3.5-sonnet").first().waitFor();
      expect(await page.getByRole("columnheader", { name: /Raw cost/ }).count()).toBe(0);
      const usage = await page.locator("main").innerText();
      expect(usage).not.toMatch(/raw \$/i);
      expect(usage).toMatch(/billed cost/i);
      expect(await axeViolations(page)).toEqual([]);

      await open(page, "/", "Overview");
      const overview = await page.locator("main").innerText();
      expect(overview).not.toMatch(/raw cost|margin/i);
      expect(overview).toMatch(/Top users this month/);
    } finally {
      await context.close();
    }
  });

  it("the provider sees the markup and the raw cost of the same organisation", async () => {
    const { context, page } = await s.newPage();
    try {
      await signIn(page, s.provider);
      await open(page, `/usage?org=${s.otherAdmin.organizationId}`, "Usage");
      await page.getByRole("table", { name: "Usage by model" }).waitFor();
      await page.getByRole("columnheader", { name: /Raw cost/ }).first().waitFor();
      await open(page, "/organizations", "Organisations");
      await page.getByRole("columnheader", { name: /Markup/ }).first().waitFor();
    } finally {
      await context.close();
    }
  });

  it("a member's Overview: their models, no 'Top users' list of one", async () => {
    const { context, page } = await s.newPage();
    try {
      await signIn(page, member);
      await open(page, "/", "Overview");
      await page.getByRole("heading", { name: "Your models this month" }).waitFor();
      await page.getByText("anthropic/claude-3.5-sonnet").first().waitFor();
      const overview = await page.locator("main").innerText();
      expect(overview).not.toMatch(/Top users/);
      expect(overview).not.toMatch(/raw cost|margin/i);
      expect(await axeViolations(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("with the provider's setting on, the client administrator sees the markup", async () => {
    await updateGlobalSettings(s.t.db, s.t.secrets, { clientsSeeProviderCost: true }, null);
    const { context, page } = await s.newPage();
    try {
      await signIn(page, s.otherAdmin);
      await open(page, "/organizations", "Organisations");
      await page.getByText("× the OpenRouter cost").first().waitFor();
    } finally {
      await context.close();
      await updateGlobalSettings(s.t.db, s.t.secrets, { clientsSeeProviderCost: false }, null);
    }
  });
});
