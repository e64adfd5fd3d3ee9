// The provider's organisation form: validation before sending, the server's refusals in plain
// words (a duplicate name; provisioning without a provisioning key), then a created organisation in
// the table with its key masked.
import { maskKey } from "@mai/domain";
import { afterEach, describe, expect, it, inject } from "vitest";
import { screen, signIn, signOut, waitFor, within } from "./render";

describe("Organisations page (provider)", () => {
  afterEach(signOut);

  it("validates, shows the server's refusals plainly, and creates an organisation with a client key", async () => {
    const { user } = await signIn(inject("provider"), "/sign-in?redirect=%2Forganizations");
    await screen.findByRole("heading", { level: 1, name: "Organisations" });
    await user.click(await screen.findByRole("button", { name: "New organisation" }));
    const dialog = await screen.findByRole("dialog");
    const create = within(dialog).getByRole("button", { name: "Create organisation" });

    // Nothing sent without a name; a markup that is not a multiplier is refused on the spot.
    await user.type(within(dialog).getByLabelText("Markup"), "a lot");
    await user.click(create);
    expect(within(dialog).getAllByText((_, el) => el?.classList.contains("field-error") ?? false).length).toBeGreaterThanOrEqual(2);

    // A name that is taken: the server's CONFLICT, in words.
    await user.clear(within(dialog).getByLabelText("Markup"));
    await user.type(within(dialog).getByLabelText("Name", { exact: true }), inject("organizationName"));
    await user.click(within(dialog).getByLabelText("Provision a dedicated OpenRouter key"));
    await user.click(create);
    expect((await within(dialog).findByRole("alert")).textContent).toMatch(/already|exists|taken/i);

    // Provisioning needs the provider's provisioning key, which is not set here.
    const name = within(dialog).getByLabelText("Name", { exact: true });
    await user.clear(name);
    await user.type(name, "Zielona Energia S.A.");
    await user.click(within(dialog).getByLabelText("Provision a dedicated OpenRouter key"));
    await user.click(create);
    await waitFor(() => expect(within(dialog).getByRole("alert").textContent).toMatch(/provisioning key/i));

    // With the client's own key instead: created, listed, key masked.
    const key = `sk-or-v1-${"5a".repeat(32)}`;
    await user.click(within(dialog).getByLabelText("Provision a dedicated OpenRouter key"));
    await user.type(within(dialog).getByLabelText("OpenRouter key", { exact: true }), key);
    await user.type(within(dialog).getByLabelText("Monthly limit (USD)"), "120.50");
    await user.click(create);
    const row = await screen.findByRole("row", { name: /Zielona Energia/ });
    expect(within(row).getByText(maskKey(key))).toBeTruthy();
    expect(within(row).getByText("$120.50")).toBeTruthy();
    expect(document.body.textContent).not.toContain(key);
  });
});
