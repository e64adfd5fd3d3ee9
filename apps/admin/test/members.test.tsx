// A client administrator invites someone: the invitation code is shown once with what to tell the
// invitee, the invitation waits in the pending list (and can be revoked), and the code really makes
// the account; removing a member asks first and takes them out of the list.
import { afterEach, describe, expect, it, inject } from "vitest";
import { queryClient } from "../src/trpc";
import { postJson } from "./node-http";
import { screen, signIn, signOut, waitFor, within } from "./render";

const CODE = /^[A-Z2-9]{4}(-[A-Z2-9]{4}){5}$/;

describe("Members page", () => {
  afterEach(signOut);

  it("invites with a code shown once that really makes the account, then removes the new member after confirmation", async () => {
    const { user } = await signIn(inject("orgAdmin"), "/sign-in?redirect=%2Fmembers");
    await screen.findByRole("heading", { level: 1, name: "Members" });
    await user.type(await screen.findByLabelText("E-mail"), "nowy.czlonek@acme.test");
    await user.type(screen.getByLabelText("Name"), "Nowy Członek");
    await user.click(screen.getByRole("button", { name: "Invite" }));
    const code = (await screen.findByTestId("secret-value")).textContent ?? "";
    expect(code).toMatch(CODE);
    // What to tell the invitee: the join page of this dashboard.
    expect(screen.getByText(`${window.location.origin}/join`)).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Done, I have copied it" }));
    expect(screen.queryByTestId("secret-value")).toBeNull();
    const pending = await screen.findByRole("row", { name: /nowy\.czlonek@acme\.test/ });
    expect(within(pending).getByText("Member")).toBeTruthy();

    // The invitee accepts with a password of their own (a browser of their own: the dashboard's Origin, no cookie).
    const accepted = await postJson(
      `${inject("apiUrl")}/trpc/auth.acceptInvitation`,
      { json: { email: "nowy.czlonek@acme.test", code, password: "amber tides and granite hills" } },
      { origin: inject("apiUrl") },
    );
    expect(accepted.status).toBe(200);
    const login = await postJson(`${inject("apiUrl")}/trpc/auth.login`, { json: { email: "nowy.czlonek@acme.test", password: "amber tides and granite hills" } }, { origin: inject("apiUrl") });
    expect(login.status).toBe(200);

    // The page learns of it on its next read.
    await queryClient.invalidateQueries();
    // The invitation is used (its list is gone) and the member row carries their external user id.
    await waitFor(() => expect(screen.queryByRole("table", { name: /Pending invitations/ })).toBeNull());
    const row = await screen.findByRole("row", { name: /Nowy Członek.*mai_client_/ });
    expect(within(row).getByText(/^mai_client_[0-9a-f]{8}_user_[0-9a-f]{8}$/)).toBeTruthy();
    await user.click(within(row).getByRole("button", { name: /Remove/ }));
    await user.click(await screen.findByRole("button", { name: "Remove member" }));
    await waitFor(() => expect(screen.queryByRole("row", { name: /Nowy Członek/ })).toBeNull());
  });

  it("revokes a pending invitation after confirmation", async () => {
    const { user } = await signIn(inject("orgAdmin"), "/sign-in?redirect=%2Fmembers");
    await user.type(await screen.findByLabelText("E-mail"), "zmiana.planow@acme.test");
    await user.click(screen.getByRole("button", { name: "Invite" }));
    const code = (await screen.findByTestId("secret-value")).textContent ?? "";
    await user.click(screen.getByRole("button", { name: "Done, I have copied it" }));
    const row = await screen.findByRole("row", { name: /zmiana\.planow@acme\.test/ });
    await user.click(within(row).getByRole("button", { name: "Revoke the invitation for zmiana.planow@acme.test" }));
    await user.click(await screen.findByRole("button", { name: "Revoke invitation" }));
    await waitFor(() => expect(screen.queryByRole("row", { name: /zmiana\.planow@acme\.test/ })).toBeNull());
    const refused = await postJson(
      `${inject("apiUrl")}/trpc/auth.acceptInvitation`,
      { json: { email: "zmiana.planow@acme.test", code, password: "a password never used" } },
      { origin: inject("apiUrl") },
    );
    expect(refused.status).toBe(400);
  });
});
