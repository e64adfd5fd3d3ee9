// Every page at a phone's width (390×844) and at a desktop's (1366×900), for each role — the
// provider administrator, a client organisation's administrator and a member — in English and in
// Polish (a browser whose language is Polish gets the Polish dashboard without choosing), in
// Chromium against the built dashboard and the real API:
//   - no page-level horizontal scroll (documentElement.scrollWidth ≤ innerWidth);
//   - axe-core finds nothing (every rule it runs by default: WCAG 2 A/AA and best practices), so a
//     table too wide for the screen scrolls inside a region the keyboard reaches;
//   - on a phone the navigation is behind a menu button (aria-expanded, Escape closes it and gives
//     the button its focus back, following a link closes it);
//   - the 30-day chart keeps a readable size and the limit warning is on the first screen;
//   - in Polish, no English message of the dashboard is left on the page (<html lang="pl">).
// The pages are the ones src/nav.ts gives each role (a page added there is checked here too), plus
// Account. The organisation's usage — 30 days of it, most of its monthly limit spent — is recorded
// straight into the database: it has no screen of its own (the proxy writes it; dashboard.test.ts
// covers that path); the organisation shows its figures in złoty too (its currency is PLN, NBP's
// rates stored). Screenshots go to test-results/e2e/ and, with MAI_UPDATE_SCREENSHOTS=1, the client
// administrator's Overview and Usage in both languages and sizes to docs/screenshots/ for the READMEs.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { recordUsageEvents, schema, setOrganizationCurrency, storeNbpRates, type UsageEventInput } from "@mai/db";
import { eq } from "@mai/db/testing";
import { billedCost } from "@mai/domain";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Language } from "../src/i18n";
import { resources } from "../src/i18n/resources";
import { navItemsFor, type Role } from "../src/nav";
import { addMember, artifactShot, axeViolations, settle, signIn } from "./pages";
import { startE2ESystem, type Account, type E2ESystem } from "./system";

const DOCS_SCREENSHOTS = join(import.meta.dirname, "..", "..", "..", "docs", "screenshots");

const SIZES = {
  phone: { width: 390, height: 844 },
  desktop: { width: 1366, height: 900 },
} as const;
type Size = keyof typeof SIZES;

const LANGUAGES: readonly Language[] = ["en", "pl"];
/** The browser's language: Polish for the Polish runs (the dashboard must pick it up by itself). */
const BROWSER_LOCALE: Record<Language, string> = { en: "en-US", pl: "pl-PL" };

const PAGES_BEYOND_NAV = [{ to: "/account", label: "account" }] as const;

type Tree = { [key: string]: string | Tree };
const flatten = (tree: Tree): string[] => Object.values(tree).flatMap((v) => (typeof v === "string" ? [v] : flatten(v)));
/**
 * The dashboard's English sentences that Polish says differently (whole messages without
 * placeholders, long enough not to be a name): none may be on a Polish page.
 */
const ENGLISH_ONLY = (() => {
  const polish = new Set(Object.values(resources.pl).flatMap((ns) => flatten(ns as Tree)));
  return [
    ...new Set(
      Object.values(resources.en)
        .flatMap((ns) => flatten(ns as Tree))
        .filter((text) => !text.includes("{{") && !text.includes("<") && text.includes(" ") && text.length >= 12 && !polish.has(text)),
    ),
  ];
})();

const menuButton = (page: Page) => page.locator("button.menu-button");
const mainNav = (page: Page) => page.locator("nav#main-menu");

/**
 * Follows the link to a page the way a person at this size would: on a phone through the menu.
 * What stands in the way is a problem of the page, said, and the link is then followed directly.
 */
async function openPage(page: Page, size: Size, label: string, to: string): Promise<string[]> {
  // `label` is the link's name in the page's language.
  const problems: string[] = [];
  const phone = size === "phone";
  const hasMenu = phone && (await menuButton(page).count()) > 0;
  if (phone && !hasMenu) problems.push(`phone ${label}: no menu button`);
  if (hasMenu) await openMenu(page);
  const link = to === "/account" ? page.locator('.whoami a[href="/account"]') : mainNav(page).getByRole("link", { name: label, exact: true });
  await link.click({ force: phone && !hasMenu });
  await page.waitForURL((url) => url.pathname === to);
  if (hasMenu && (await menuButton(page).getAttribute("aria-expanded")) !== "false") problems.push(`phone ${label}: the menu stays open after following its link`);
  await settle(page);
  return problems;
}

async function openMenu(page: Page): Promise<void> {
  const button = menuButton(page);
  if ((await button.getAttribute("aria-expanded")) !== "true") await button.click();
  await mainNav(page).waitFor({ state: "visible" });
}

/**
 * A screenshot of the whole page for the CI artifacts; with MAI_UPDATE_SCREENSHOTS=1 the README's
 * phone pictures too, at most `readmeHeight` pixels of the page's top (Usage's request list runs long).
 */
async function shot(page: Page, name: string, forReadme: boolean, readmeHeight = 2000): Promise<void> {
  await artifactShot(page, name);
  if (forReadme && process.env.MAI_UPDATE_SCREENSHOTS === "1") {
    mkdirSync(DOCS_SCREENSHOTS, { recursive: true });
    const height = Math.min(readmeHeight, await page.evaluate(() => document.documentElement.scrollHeight));
    const { width } = page.viewportSize()!;
    await page.screenshot({ path: join(DOCS_SCREENSHOTS, `${name}.png`), fullPage: true, clip: { x: 0, y: 0, width, height } });
  }
}

/** What is wrong with the page as shown: horizontal scroll at page level, axe's violations, the wrong language. */
async function problemsOf(page: Page, where: string, language: Language): Promise<string[]> {
  const problems: string[] = [];
  const lang = await page.evaluate(() => document.documentElement.lang);
  if (lang !== language) problems.push(`${where}: <html lang="${lang}">, not "${language}"`);
  const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
  if (widths.scroll > widths.inner) problems.push(`${where}: the page is ${widths.scroll} px wide in a ${widths.inner} px window`);
  for (const v of await axeViolations(page)) problems.push(`${where}: axe ${v}`);
  // Words, not markup: no Markdown backticks in what the page says, and the signed-in user's role said once.
  const text = await page.evaluate(() => document.body.innerText);
  if (language === "pl") {
    const english = ENGLISH_ONLY.filter((sentence) => text.includes(sentence));
    if (english.length > 0) problems.push(`${where}: English left on a Polish page: ${english.map((e) => JSON.stringify(e)).join(", ")}`);
  }
  if (text.includes("`")) problems.push(`${where}: a backtick in the page's text: ${text.slice(Math.max(0, text.indexOf("`") - 60), text.indexOf("`") + 60)}`);
  const whoami = (await page.locator(".whoami-name").first().innerText()).split("·").map((part) => part.trim());
  if (new Set(whoami).size < whoami.length) problems.push(`${where}: the header repeats itself: ${whoami.join(" · ")}`);
  return problems;
}

describe("every page at phone and desktop width, for every role (PGlite)", () => {
  let s: E2ESystem;
  let member: Account;
  const accounts = {} as Record<Role, Account>;

  beforeAll(async () => {
    s = await startE2ESystem("pglite");
    member = { email: "marta@nowak.test", password: "member password e2e" };
    const seeded = await addMember(s, { ...member, name: "Marta Wiśniewska" });
    const { organizationId } = seeded;
    const users = [seeded.admin, seeded.member];
    const models = ["openai/gpt-4o-mini", "anthropic/claude-3.5-sonnet", "google/gemini-2.5-flash"];
    // 30 days of a small team's traffic: 10–40 requests a day, quieter at weekends, each of a plausible size.
    const now = Date.now();
    const events: UsageEventInput[] = [];
    for (let day = 0; day < 30; day++) {
      const perDay = 24 + ((day * 7) % 5) * 4 - (day % 7 >= 5 ? 14 : 0);
      for (let i = 0; i < perDay; i++) {
        const model = (day + i) % models.length;
        const promptTokens = 800 + ((day * 131 + i * 977) % 5200);
        const completionTokens = 150 + ((day * 71 + i * 313) % 1400);
        events.push({
          generationId: `gen-responsive-${day}-${i}`,
          organizationId,
          ...users[(day + i) % users.length]!,
          model: models[model]!,
          promptTokens,
          completionTokens,
          // Roughly each model's price per token, in nano-USD.
          rawCostNano: BigInt(promptTokens * [150, 3000, 300][model]! + completionTokens * [600, 15000, 2500][model]!),
          markupBp: 15_000,
          status: i === 2 && day % 6 === 0 ? "error" : "ok",
          streamed: i % 2 === 0,
          latencyMs: 700 + ((day * 37 + i * 211) % 4000),
          occurredAt: new Date(now - day * 86_400_000 - (i + 1) * 600_000),
        });
      }
    }
    // One request of this very moment: this month has usage even in its first minutes.
    events.push({ ...events[0]!, generationId: "gen-responsive-now", occurredAt: new Date(now) });
    await recordUsageEvents(s.t.db, events);
    // The limit: this month's spending is about 90 % of it (rounded up to the cent), whatever the day of
    // the month, so the warning shows.
    const monthStart = new Date(now);
    monthStart.setUTCDate(1);
    monthStart.setUTCHours(0, 0, 0, 0);
    const spent = events.filter((e) => e.occurredAt >= monthStart).reduce((sum, e) => sum + billedCost(e.rawCostNano, e.markupBp), 0n);
    const cent = 10_000_000n;
    const limit = (((spent * 10n) / 9n + cent - 1n) / cent) * cent;
    await s.t.db.update(schema.clientOrganizations).set({ monthlyLimitNano: limit }).where(eq(schema.clientOrganizations.id, organizationId));
    // A Polish client: its figures in złoty too, at NBP's mid rates of the last 40 days (weekdays).
    const rates = [];
    for (let day = 1; day <= 40; day++) {
      const date = new Date(now - day * 86_400_000);
      if (date.getUTCDay() === 0 || date.getUTCDay() === 6) continue;
      rates.push({ effectiveDate: date.toISOString().slice(0, 10), mid: `3.9${(day * 37) % 90 + 10}`, tableNo: `${day}/A/NBP/2026` });
    }
    await storeNbpRates(s.t.db, "PLN", rates);
    await setOrganizationCurrency(s.t.db, organizationId, "PLN");
    accounts.provider_admin = s.provider;
    accounts.org_admin = s.otherAdmin;
    accounts.member = member;
  });
  afterAll(async () => {
    await s?.close();
  });

  describe.each(LANGUAGES.flatMap((language) => (Object.keys(SIZES) as Size[]).map((size) => [language, size] as const)))("in %s at %s width", (language, size) => {
    it.each(["provider_admin", "org_admin", "member"] as const)("every page of a %s: no horizontal scroll, no axe violation, all in its language", async (role) => {
      const context = await s.browser.newContext({ baseURL: s.apiUrl, viewport: SIZES[size], locale: BROWSER_LOCALE[language] });
      const page = await context.newPage();
      try {
        await signIn(page, accounts[role]);
        await settle(page);
        const problems: string[] = [];
        const pages = [...navItemsFor(role), ...PAGES_BEYOND_NAV];
        const nav = resources[language].common.nav;
        const names = { ...nav, account: resources[language].common.layout.account };
        for (const { to, label } of pages) {
          problems.push(...(await openPage(page, size, names[label], to)));
          const where = `${language} ${size} ${role} ${label}`;
          problems.push(...(await problemsOf(page, where, language)));
          if (to === "/" && role === "org_admin") {
            // The chart keeps a readable size; the limit warning is on the first screen.
            const chart = await page.locator("figure.chart .recharts-wrapper").first().boundingBox();
            if (!chart || chart.width < 300 || chart.height < 200) problems.push(`${where}: the 30-day chart is ${chart ? `${chart.width}×${chart.height}` : "missing"}`);
            const warning = await page.locator('.notice-warning[role="alert"]').first().boundingBox();
            if (!warning || warning.y + warning.height > SIZES[size].height) problems.push(`${where}: the limit warning is ${warning ? `at ${Math.round(warning.y)} px` : "missing"}, below the first screen`);
          }
          // The README's pictures: a Polish client's Overview and Usage (figures in złoty too), each language and size.
          const prefix = language === "en" ? size : `${language}-${size}`;
          if (role === "org_admin" && (to === "/" || to === "/usage")) await shot(page, `${prefix}-client-${to === "/" ? "overview" : "usage"}`, true);
          else await shot(page, `${prefix}-${role}-${label.toLowerCase()}`, false);
        }
        expect(problems).toEqual([]);
      } catch (error) {
        await artifactShot(page, `failed-${language}-${size}-${role}`).catch(() => undefined);
        throw error;
      } finally {
        await context.close();
      }
    });
  });

  it("the language: a Polish browser gets Polish at once; a choice in the switch is kept across a reload and a new sign-in", async () => {
    const context = await s.browser.newContext({ baseURL: s.apiUrl, viewport: SIZES.desktop, locale: "pl-PL" });
    const page = await context.newPage();
    const htmlLang = () => page.evaluate(() => document.documentElement.lang);
    const navLink = (name: string) => mainNav(page).getByRole("link", { name, exact: true });
    try {
      await page.goto("/sign-in");
      expect(await htmlLang()).toBe("pl");
      expect(await page.getByLabel(resources.pl.common.language.label).inputValue()).toBe("pl");
      await signIn(page, s.otherAdmin);
      await navLink(resources.pl.common.nav.usage).waitFor();
      // Figures follow the language: the gauge's amounts in Polish notation ("1 234,57 zł", "0,12 USD"…).
      await settle(page);
      expect(await page.locator("main").innerText()).toMatch(/\d,\d{2}/);

      await page.getByLabel(resources.pl.common.language.label).selectOption("en");
      await navLink(resources.en.common.nav.usage).waitFor();
      expect(await htmlLang()).toBe("en");
      await page.reload();
      await navLink(resources.en.common.nav.usage).waitFor();
      expect(await page.getByLabel(resources.en.common.language.label).inputValue()).toBe("en");
      // Signed out and in again, in the same browser: still English.
      await page.locator(".whoami button").last().click();
      await page.waitForURL((url) => url.pathname === "/sign-in");
      expect(await htmlLang()).toBe("en");
      await signIn(page, s.otherAdmin);
      await navLink(resources.en.common.nav.usage).waitFor();

      await page.getByLabel(resources.en.common.language.label).selectOption("pl");
      await navLink(resources.pl.common.nav.usage).waitFor();
      expect(await htmlLang()).toBe("pl");
    } finally {
      await context.close();
    }
  });

  it("on a phone the navigation is a menu: a button that says whether it is open, closed by Escape with the focus back on it", async () => {
    const context = await s.browser.newContext({ baseURL: s.apiUrl, viewport: SIZES.phone });
    const page = await context.newPage();
    try {
      await signIn(page, s.otherAdmin);
      const button = menuButton(page);
      expect(await button.getAttribute("aria-expanded")).toBe("false");
      expect(await mainNav(page).isVisible()).toBe(false);
      const controls = await button.getAttribute("aria-controls");
      expect(controls).toBeTruthy();
      await button.click();
      expect(await button.getAttribute("aria-expanded")).toBe("true");
      await mainNav(page).waitFor({ state: "visible" });
      expect(await page.locator(`#${controls}`).isVisible()).toBe(true);
      // The first link takes the focus once open; Escape closes and gives the button its focus back.
      await page.keyboard.press("Tab");
      expect(await page.evaluate(() => document.activeElement?.closest("nav")?.getAttribute("aria-label"))).toBe("Main");
      await page.keyboard.press("Escape");
      expect(await button.getAttribute("aria-expanded")).toBe("false");
      expect(await mainNav(page).isVisible()).toBe(false);
      expect(await button.evaluate((el) => el === document.activeElement)).toBe(true);
      // Sign out is reachable on a phone.
      const signOut = page.getByRole("button", { name: "Sign out" });
      await signOut.scrollIntoViewIfNeeded();
      const box = await signOut.boundingBox();
      expect(box && box.x >= 0 && box.x + box.width <= SIZES.phone.width).toBe(true);
      // At desktop width there is no menu button and the navigation is always shown.
      await page.setViewportSize(SIZES.desktop);
      expect(await menuButton(page).isVisible()).toBe(false);
      expect(await mainNav(page).isVisible()).toBe(true);
    } finally {
      await context.close();
    }
  });
});
