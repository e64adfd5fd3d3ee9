// What the browser tests do on any page, in one place: sign in by the form's fields (in whichever
// language the page is), wait for a page to settle, ask axe-core for violations, keep a screenshot,
// and add a member to an organisation straight in the database.
import { createRequire } from "node:module";
import { join } from "node:path";
import { hashPassword } from "@mai/api";
import { createUser, schema } from "@mai/db";
import { eq } from "@mai/db/testing";
import { externalUserId } from "@mai/domain";
import type { Page } from "playwright-core";
import { ARTIFACTS, type Account, type E2ESystem } from "./system";

const require = createRequire(import.meta.url);
const AXE_SOURCE = (require("axe-core") as { source: string }).source;

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/** Signs in with the form (its fields by name, so in any language) and waits for the signed-in layout. */
export async function signIn(page: Page, account: Account): Promise<void> {
  await page.goto("/sign-in");
  await page.locator('input[name="email"]').fill(account.email);
  await page.locator('input[name="password"]').fill(account.password);
  await page.locator('form button[type="submit"]').click();
  // Its navigation is folded away on a phone: attached rather than visible.
  await page.locator("nav#main-menu").waitFor({ state: "attached" });
}

/** The page has loaded what it asks for: no request in flight, no skeleton, a heading. */
export async function settle(page: Page): Promise<void> {
  await page.waitForLoadState("networkidle");
  await page.locator(".skeleton").first().waitFor({ state: "detached", timeout: 15_000 }).catch(() => undefined);
  await page.locator("h1").first().waitFor();
}

/** axe-core's verdict on the page as it is: "rule (impact): help — targets" per violation. */
export async function axeViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, which the dashboard's Content-Security-Policy does not cover.
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document) => Promise<{ violations: AxeViolation[] }> } }).axe;
    return (await axe.run(document)).violations;
  });
  return violations.map((v) => `${v.id} (${v.impact ?? "?"}): ${v.help} — ${v.nodes.map((n) => JSON.stringify(n.target)).join(", ")}`);
}

/** The whole page, once nothing is loading, for the CI artifacts (test-results/e2e/<name>.png); returns the file. */
export async function artifactShot(page: Page, name: string): Promise<string> {
  await page.waitForLoadState("networkidle");
  const file = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** A member of the other administrator's organisation, made in the database, and the ids usage events need. */
export async function addMember(
  s: E2ESystem,
  member: Account & { name: string },
): Promise<{ organizationId: string; member: { userId: string; externalUserId: string }; admin: { userId: string; externalUserId: string } }> {
  const { organizationId } = s.otherAdmin;
  const row = await createUser(s.t.db, { email: member.email, name: member.name, role: "member", passwordHash: await hashPassword(member.password) });
  const memberExternal = externalUserId(organizationId, row.id);
  await s.t.db.insert(schema.userClientMapping).values({ userId: row.id, organizationId, externalUserId: memberExternal });
  const [admin] = await s.t.db.select().from(schema.users).where(eq(schema.users.email, s.otherAdmin.email));
  if (!admin) throw new Error(`${s.otherAdmin.email} is not in the database`);
  return {
    organizationId,
    member: { userId: row.id, externalUserId: memberExternal },
    admin: { userId: admin.id, externalUserId: externalUserId(organizationId, admin.id) },
  };
}
