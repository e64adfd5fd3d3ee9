// Unmetered usage on the Organisations page: the seeded organisation's key was spent on straight at
// the simulator (global-setup.ts) and reconciled once. The provider sees the amount and bills it
// behind a confirmation (then "billed"); the organisation's administrator sees the amount on their
// card, with no button — at their price (the default markup, 1.3×), since clients see billed amounts
// only unless the provider lets them see its cost.
import { billedCost, formatUsdPrecise } from "@mai/domain/money";
import { money } from "../src/lib/format";
import { afterEach, describe, expect, it, inject } from "vitest";
import { screen, signIn, signOut, waitFor, within } from "./render";

/** What the organisation's administrator is shown: the unmetered amount at the organisation's markup. */
const atClientPrice = () => money(billedCost(BigInt(inject("unmeteredNano")), 13_000));

describe("Unmetered usage", () => {
  afterEach(signOut);

  it("the provider sees the amount on the organisation's row and bills it after confirming", async () => {
    const amount = formatUsdPrecise(BigInt(inject("unmeteredNano")));
    const { user } = await signIn(inject("provider"), "/sign-in?redirect=%2Forganizations");
    const row = await screen.findByRole("row", { name: new RegExp(inject("organizationName").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")) });
    await waitFor(() => expect(row.textContent).toContain(`unmetered usage ${amount}`));
    expect(row.textContent).toContain(`not billed: ${amount}`);

    await user.click(within(row).getByRole("button", { name: "Bill…" }));
    const dialog = await screen.findByRole("dialog");
    expect(dialog.textContent).toMatch(/adjustment line/);
    await user.click(within(dialog).getByRole("button", { name: "Add the adjustment line" }));
    await waitFor(() => expect(row.textContent).toContain("billed"));
    await waitFor(() => expect(within(row).queryByRole("button", { name: "Bill…" })).toBeNull());
  });

  it("the organisation's administrator sees it on their card, at their price, without a button", async () => {
    const amount = atClientPrice();
    await signIn(inject("orgAdmin"), "/sign-in?redirect=%2Forganizations");
    await screen.findByText("Unmetered usage (UTC month)");
    await waitFor(() => expect(document.body.textContent).toContain(`unmetered usage ${amount}`));
    expect(screen.queryByRole("button", { name: "Bill…" })).toBeNull();
  });

  it("the Overview warns the organisation's administrator, with a link to Organisations", async () => {
    const amount = atClientPrice();
    await signIn(inject("orgAdmin"), "/");
    const notice = await screen.findByText(/Unmetered usage this month/);
    expect(notice.textContent).toContain(amount);
    expect(within(notice).getByRole("link", { name: "Organisations" })).toBeTruthy();
  });
});
