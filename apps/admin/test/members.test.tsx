// A client administrator adds a member: the one-time password is shown once and really signs the
// new member in; removing asks first and takes them out of the list.
import { afterEach, describe, expect, it, inject } from "vitest";
import { postJson } from "./node-http";
import { screen, signIn, signOut, waitFor, within } from "./render";

describe("Members page", () => {
  afterEach(signOut);

  it("adds a member with a one-time password that works, then removes them after confirmation", async () => {
    const { user } = await signIn(inject("orgAdmin"), "/sign-in?redirect=%2Fmembers");
    await screen.findByRole("heading", { level: 1, name: "Members" });
    await user.type(await screen.findByLabelText("E-mail"), "nowy.czlonek@acme.test");
    await user.type(screen.getByLabelText("Name"), "Nowy Członek");
    await user.click(screen.getByRole("button", { name: "Add member" }));
    const password = (await screen.findByTestId("secret-value")).textContent ?? "";
    expect(password.length).toBeGreaterThanOrEqual(12);
    const login = await postJson(`${inject("apiUrl")}/trpc/auth.login`, { json: { email: "nowy.czlonek@acme.test", password } });
    expect(login.status).toBe(200);

    const row = await screen.findByRole("row", { name: /Nowy Członek/ });
    expect(within(row).getByText(/^mai_client_[0-9a-f]{8}_user_[0-9a-f]{8}$/)).toBeTruthy();
    await user.click(within(row).getByRole("button", { name: /Remove/ }));
    await user.click(await screen.findByRole("button", { name: "Remove member" }));
    await waitFor(() => expect(screen.queryByRole("row", { name: /Nowy Członek/ })).toBeNull());
  });
});
