// The API tokens form: validation, the token shown once and working against the real API, then
// revoked with confirmation and refused from then on.
import { afterEach, describe, expect, it, inject } from "vitest";
import { getJson } from "./node-http";
import { screen, signIn, signOut, waitFor, within } from "./render";

/** auth.listTokens with the token alone: 200 and the owner's tokens, or 401. */
async function meWith(token: string): Promise<{ status: number; names?: string[] }> {
  const { status, body } = await getJson(`${inject("apiUrl")}/trpc/auth.listTokens`, { authorization: `Bearer ${token}` });
  const list = (body as { result?: { data: { json: { name: string }[] } } }).result?.data.json;
  return { status, names: list?.map((t) => t.name) };
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
    expect(await meWith(token)).toMatchObject({ status: 200, names: expect.arrayContaining(["Component laptop"]) });

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
});
