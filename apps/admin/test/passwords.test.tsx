// Passwords in the dashboard, against the real API: changing one's own under Account (with feedback,
// and the old password stops working), an administrator's "Reset password" on the Members page
// (the temporary password shown once, with a copy button), and the page a temporary password lands
// on, which asks for a new password before anything else. In order: each step builds on the last.
import { request } from "node:http";
import { afterEach, describe, expect, it, inject } from "vitest";
import { renderAt, screen, signIn, signOut, waitFor, within } from "./render";

/** auth.login from outside the page (no cookie jar), as a browser of the dashboard's origin would send it. */
function signInStatus(email: string, password: string): Promise<number> {
  const url = inject("apiUrl");
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/trpc/auth.login`,
      { method: "POST", headers: { "content-type": "application/json", origin: url } },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify({ json: { email, password } }));
  });
}

const CHOSEN = "violet lanterns over the harbour";
const CHOSEN_AFTER_RESET = "seven quiet hills at dawn";

describe("passwords", () => {
  afterEach(signOut);
  let temporary = "";

  it("Account: a wrong current password is said plainly; a good change says so and the old password stops working", async () => {
    const owner = inject("passwordOwner");
    const { user } = await signIn(owner);
    await user.click(screen.getByRole("link", { name: "Account" }));
    await screen.findByRole("heading", { level: 1, name: "Account" });

    // Checked before sending: too short, and built from the owner's own name.
    await user.type(screen.getByLabelText("Current password"), owner.password);
    await user.type(screen.getByLabelText("New password"), "olga owner 2026");
    await user.type(screen.getByLabelText("New password again"), "olga owner 2026");
    await user.click(screen.getByRole("button", { name: "Change password" }));
    expect((await screen.findByText(/contains your e-mail address or name/)).textContent).toBeTruthy();

    await user.clear(screen.getByLabelText("Current password"));
    await user.type(screen.getByLabelText("Current password"), "not the current password");
    await user.clear(screen.getByLabelText("New password"));
    await user.type(screen.getByLabelText("New password"), CHOSEN);
    await user.clear(screen.getByLabelText("New password again"));
    await user.type(screen.getByLabelText("New password again"), CHOSEN);
    await user.click(screen.getByRole("button", { name: "Change password" }));
    expect((await screen.findByRole("alert")).textContent).toMatch(
      /The password was not changed\. The current password is not right\./,
    );

    await user.clear(screen.getByLabelText("Current password"));
    await user.type(screen.getByLabelText("Current password"), owner.password);
    await user.click(screen.getByRole("button", { name: "Change password" }));
    expect(await screen.findByText(/Your password was changed\./)).toBeTruthy();
    expect(await signInStatus(owner.email, owner.password)).toBe(401);
    expect(await signInStatus(owner.email, CHOSEN)).toBe(200);
  });

  it("Members: the provider resets a member's password and sees the temporary password once, with a copy button", async () => {
    const owner = inject("passwordOwner");
    const { user } = await signIn(inject("provider"), "/sign-in?redirect=%2Fmembers");
    await screen.findByRole("heading", { level: 1, name: "Members" });
    const row = await screen.findByRole("row", { name: new RegExp(owner.name) });
    await user.click(within(row).getByRole("button", { name: `Reset password of ${owner.name}` }));
    const dialog = await screen.findByRole("dialog");
    expect(
      within(dialog).getByRole("heading", { name: `Reset the password of ${owner.name}?` }),
    ).toBeTruthy();
    await user.click(within(dialog).getByRole("button", { name: "Reset password" }));
    temporary = (await within(dialog).findByTestId("secret-value")).textContent ?? "";
    expect(temporary).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(within(dialog).getByRole("button", { name: "Copy" })).toBeTruthy();
    expect(within(dialog).getByText(/72 hours|only to choose a new password/)).toBeTruthy();
    await user.click(within(dialog).getByRole("button", { name: "Done, I have copied it" }));
    await waitFor(() => expect(screen.queryByTestId("secret-value")).toBeNull());
    // The password the owner had chosen is gone.
    expect(await signInStatus(owner.email, CHOSEN)).toBe(401);
  });

  it("a temporary password lands on 'Choose a new password', and nothing else opens until one is chosen", async () => {
    const owner = inject("passwordOwner");
    expect(temporary).not.toBe("");
    const { user } = renderAt("/sign-in?redirect=%2Fusage");
    await user.type(await screen.findByLabelText("E-mail"), owner.email);
    await user.type(screen.getByLabelText("Password"), temporary);
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    await screen.findByRole("heading", { level: 1, name: "Choose a new password" });
    expect(window.location.pathname).toBe("/choose-password");
    expect(screen.queryByRole("navigation", { name: "Main" })).toBeNull();

    await user.type(screen.getByLabelText("Temporary password"), temporary);
    await user.type(screen.getByLabelText("New password"), CHOSEN_AFTER_RESET);
    await user.type(screen.getByLabelText("New password again"), CHOSEN_AFTER_RESET);
    await user.click(screen.getByRole("button", { name: "Save and continue" }));
    await screen.findByRole("navigation", { name: "Main" });
    await waitFor(() => expect(window.location.pathname).toBe("/usage"));
    expect(await signInStatus(owner.email, CHOSEN_AFTER_RESET)).toBe(200);
    expect(await signInStatus(owner.email, temporary)).toBe(401);
  });
});
