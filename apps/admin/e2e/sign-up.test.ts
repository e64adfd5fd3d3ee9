// Issue 14's onboarding gap in a real browser (Chromium, the built dashboard, the real API and the
// OpenRouter simulator): "the key is the invitation". The provider has minted a key for an
// organisation without an administrator (dashboard.test.ts does that through the Organisations
// page; here it is seeded); the client's administrator follows the sign-in page's "Sign up" link,
// enters e-mail, name, password and that key — claimed — and lands on the overview of their
// organisation, by name. And a client administrator who belongs to no organisation lands on a page
// that says what to do next, with no red "could not be loaded" box, and joins the organisation
// that invited them from there.
import { createOrganization } from "@mai/db";
import { asOpenRouterKey, testDrivers } from "@mai/db/testing";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifactShot } from "./pages";
import { startE2ESystem, type E2ESystem } from "./system";

const ORG_NAME = "Zielińska Studio";

const shot = (page: Page, name: string) => artifactShot(page, name);

/** Script errors of a page (a refused request is logged by Chromium as a failed resource: not one). */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error" && !/Failed to load resource/.test(message.text())) errors.push(message.text());
  });
  return errors;
}

describe.each(testDrivers())("sign-up with a key, and the page of an account without an organisation, on %s", (driver) => {
  let s: E2ESystem;
  let provisionedKey = "";

  beforeAll(async () => {
    s = await startE2ESystem(driver);
    // A key the provider minted (OpenRouter knows it) for an organisation nobody administers yet.
    provisionedKey = s.sim.addKey({ name: "provisioned for Zielińska" }).key;
    await createOrganization(s.t.db, s.t.secrets, { name: ORG_NAME, key: asOpenRouterKey(provisionedKey), keySource: "provisioned" });
  });
  afterAll(async () => {
    await s?.close();
  });

  it("signs up with the provisioned key from the sign-in page: claimed, signed in, the overview names the organisation", async () => {
    const { context, page } = await s.newPage();
    const errors = watchErrors(page);
    await page.goto("/sign-in");
    await page.getByRole("link", { name: "Sign up" }).click();
    await page.getByRole("heading", { level: 1, name: "Sign up" }).waitFor();
    await page.getByLabel("E-mail").fill("anna@zielinska.test");
    await page.getByLabel("Your name").fill("Anna Zielińska");
    await page.getByLabel("Password").fill("linen boats under copper skies");
    await page.getByLabel("OpenRouter key").fill(provisionedKey);
    await shot(page, `${driver}-sign-up`);
    await page.getByRole("button", { name: "Sign up" }).click();

    await page.getByRole("navigation", { name: "Main" }).waitFor();
    await page.getByRole("heading", { level: 1, name: "Overview" }).waitFor();
    await page.getByText(ORG_NAME).first().waitFor();
    await page.waitForLoadState("networkidle");
    expect(await page.getByText("could not be loaded").count()).toBe(0);
    expect(await page.getByText(provisionedKey).count()).toBe(0);
    await shot(page, `${driver}-sign-up-overview`);

    // They are its administrator: Members lists them, and nobody else.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Members", exact: true }).click();
    await page.getByRole("row", { name: /anna@zielinska\.test/ }).waitFor();
    expect(await page.getByRole("row", { name: /Client administrator/ }).count()).toBe(1);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("the key is taken now: a second sign-up with it is refused in words, without saying whose", async () => {
    const { context, page } = await s.newPage();
    await page.goto("/sign-up");
    await page.getByLabel("E-mail").fill("intruder@elsewhere.test");
    await page.getByLabel("Your name").fill("Someone Else");
    await page.getByLabel("Password").fill("granite owls hum at noon");
    await page.getByLabel("OpenRouter key").fill(provisionedKey);
    await page.getByRole("button", { name: "Sign up" }).click();
    const refusal = page.getByRole("alert").filter({ hasText: "You were not signed up." });
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(/already attached to another organisation/);
    expect(await refusal.textContent()).not.toContain(ORG_NAME);
    expect(await page.getByRole("navigation", { name: "Main" }).count()).toBe(0);
    await context.close();
  });

  it("a client administrator of no organisation lands on what to do next, not on errors, and joins by invitation", async () => {
    const { context, page } = await s.newPage();
    const errors = watchErrors(page);
    await page.goto("/sign-in");
    await page.getByLabel("E-mail").fill(s.clientAdmin.email);
    await page.getByLabel("Password").fill(s.clientAdmin.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { level: 1, name: "Overview" }).waitFor();
    await page.getByText("does not belong to an organisation yet").waitFor();
    await page.getByRole("link", { name: "Connections" }).first().waitFor();
    await page.getByText(`No invitation for ${s.clientAdmin.email} yet`).waitFor();
    await page.waitForLoadState("networkidle");
    expect(await page.getByText("could not be loaded").count()).toBe(0);
    expect(await page.locator(".notice-error").count()).toBe(0);
    await shot(page, `${driver}-no-organization`);

    // The other organisation's administrator invites them (an invitation waits for their consent).
    const admin = await s.newPage();
    await admin.page.goto("/sign-in");
    await admin.page.getByLabel("E-mail").fill(s.otherAdmin.email);
    await admin.page.getByLabel("Password").fill(s.otherAdmin.password);
    await admin.page.getByRole("button", { name: "Sign in" }).click();
    await admin.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Members", exact: true }).click();
    await admin.page.getByLabel("E-mail").fill(s.clientAdmin.email);
    await admin.page.getByLabel("Role").selectOption("org_admin");
    await admin.page.getByRole("button", { name: "Invite" }).click();
    await admin.page.getByTestId("secret-value").waitFor();
    await shot(admin.page, `${driver}-invitation-code`);
    await admin.context.close();

    await page.reload();
    const join = page.getByRole("button", { name: `Join ${s.otherAdmin.organizationName}` });
    await join.waitFor();
    await join.click();
    // Now an administrator of that organisation: the overview shows its usage, by its name.
    await page.getByText(s.otherAdmin.organizationName).first().waitFor();
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Usage", exact: true }).waitFor();
    await page.waitForLoadState("networkidle");
    expect(await page.getByText("could not be loaded").count()).toBe(0);
    expect(errors).toEqual([]);
    await shot(page, `${driver}-joined`);
    await context.close();
  });
});
