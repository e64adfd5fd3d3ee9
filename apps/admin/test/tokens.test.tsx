// The API tokens form: validation, the token shown once and working against the real API, then
// revoked with confirmation and refused from then on; scopes — a member makes chat tokens only, an
// administrator chooses, told what each means, and the list says each token's scope.
import { afterEach, describe, expect, it, inject } from "vitest";
import { getJson } from "./node-http";
import { screen, signIn, signOut, waitFor, within } from "./render";

/** With the token alone: who auth.me says it is, and the status of settings.get (chat) and auth.listTokens (the dashboard's). */
async function meWith(token: string): Promise<{ status: number; email?: string; dashboard: number }> {
  const authorization = `Bearer ${token}`;
  const me = await getJson(`${inject("apiUrl")}/trpc/auth.me`, { authorization });
  const settings = await getJson(`${inject("apiUrl")}/trpc/settings.get`, { authorization });
  const dashboard = await getJson(`${inject("apiUrl")}/trpc/auth.listTokens`, { authorization });
  const email = (me.body as { result?: { data: { json: { email: string } | null } } }).result?.data.json?.email;
  return { status: settings.status, ...(email ? { email } : {}), dashboard: dashboard.status };
}

describe("API tokens page", () => {
  afterEach(signOut);

  it("creates a token shown once, which authenticates as its owner until it is revoked", async () => {
    const { user } = await signIn(inject("member"), "/sign-in?redirect=%2Ftokens");
    await screen.findByRole("heading", { name: "API tokens" });

    // An empty name is refused before anything is sent.
    await user.click(screen.getByRole("button", { name: "Create token" }));
    expect(await screen.findByText(/name/i, { selector: ".field-error" })).toBeTruthy();

    await user.type(screen.getByLabelText("Token name"), "Component laptop");
    await user.click(screen.getByRole("button", { name: "Create token" }));
    const secret = await screen.findByTestId("secret-value");
    const token = secret.textContent ?? "";
    expect(token).toMatch(/^mai_[0-9a-f]{48}$/);
    expect(screen.getByText(/will not be shown again/)).toBeTruthy();
    // A chat token: its owner's own settings, not the dashboard's procedures (403).
    expect(await meWith(token)).toEqual({ status: 200, email: inject("member").email, dashboard: 403 });
    // A member is offered no scope: every token of theirs is for chat.
    expect(screen.queryByLabelText("What the token may do")).toBeNull();

    // Listed by prefix only; once dismissed, the full token is nowhere on the page.
    const table = await screen.findByRole("table");
    await waitFor(() => expect(within(table).getByText("Component laptop")).toBeTruthy());
    await user.click(screen.getByRole("button", { name: "Done, I have copied it" }));
    expect(document.body.textContent).not.toContain(token);

    await user.click(screen.getByRole("button", { name: "Revoke Component laptop" }));
    await user.click(await screen.findByRole("button", { name: "Revoke token" }));
    await waitFor(async () => expect((await meWith(token)).status).toBe(401));
    await waitFor(() => expect(within(screen.getByRole("table")).getByText(/revoked/i)).toBeTruthy());
  });

  it("offers an administrator the scope, says what each means, and lists each token's scope", async () => {
    const { user } = await signIn(inject("orgAdmin"), "/sign-in?redirect=%2Ftokens");
    await screen.findByRole("heading", { name: "API tokens" });
    const scope = await screen.findByLabelText<HTMLSelectElement>("What the token may do");
    expect(scope.value).toBe("chat");
    expect(screen.getByText(/^Chat: the proxy, your own settings and your own usage/)).toBeTruthy();
    await user.selectOptions(scope, "manage");
    expect(screen.getByText(/^Manage: also everything you can do in this dashboard/)).toBeTruthy();

    await user.type(screen.getByLabelText("Token name"), "Component automation");
    await user.click(screen.getByRole("button", { name: "Create token" }));
    const token = (await screen.findByTestId("secret-value")).textContent ?? "";
    expect(screen.getByText(/Manage token/)).toBeTruthy();
    // A manage token reaches the dashboard's procedures too.
    expect(await meWith(token)).toEqual({ status: 200, email: inject("orgAdmin").email, dashboard: 200 });

    const table = await screen.findByRole("table");
    const row = await waitFor(() => within(table).getByText("Component automation").closest("tr")!);
    expect(within(row).getByText("manage")).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Done, I have copied it" }));
    // The form is back on chat for the next token.
    expect((await screen.findByLabelText<HTMLSelectElement>("What the token may do")).value).toBe("chat");
  });
});
