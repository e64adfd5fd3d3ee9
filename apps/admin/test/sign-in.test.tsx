// The sign-in form against the real API: wrong credentials said plainly, a deep link survives
// signing in, and signing out returns to the form.
import { afterEach, describe, expect, it, inject } from "vitest";
import { renderAt, screen, signIn, signOut, waitFor } from "./render";

describe("sign in", () => {
  afterEach(signOut);

  it("a signed-out visitor is sent to the sign-in form, remembering where they wanted to go", async () => {
    renderAt("/usage");
    expect(await screen.findByRole("heading", { name: "Sign in" })).toBeTruthy();
    expect(window.location.pathname).toBe("/sign-in");
    expect(new URLSearchParams(window.location.search).get("redirect")).toBe("/usage");
  });

  it("wrong credentials: a plain message, no navigation, the button usable again", async () => {
    const { user } = renderAt("/sign-in");
    await user.type(await screen.findByLabelText("E-mail"), inject("provider").email);
    await user.type(screen.getByLabelText("Password"), "not the password at all");
    const button = screen.getByRole("button", { name: "Sign in" });
    await user.click(button);
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toMatch(/e-mail or password is not right|invalid/i);
    expect(window.location.pathname).toBe("/sign-in");
    await waitFor(() => expect((button as HTMLButtonElement).disabled).toBe(false));
  });

  it("the submit button stays disabled until both fields are filled", async () => {
    const { user } = renderAt("/sign-in");
    const button = await screen.findByRole("button", { name: "Sign in" });
    expect((button as HTMLButtonElement).disabled).toBe(true);
    await user.type(screen.getByLabelText("E-mail"), "someone@example.com");
    expect((button as HTMLButtonElement).disabled).toBe(true);
    await user.type(screen.getByLabelText("Password"), "x");
    expect((button as HTMLButtonElement).disabled).toBe(false);
  });

  it("signing in lands on the page asked for; signing out returns to the form", async () => {
    const { user } = await signIn(inject("provider"), "/sign-in?redirect=%2Ftokens");
    await waitFor(() => expect(window.location.pathname).toBe("/tokens"));
    await user.click(screen.getByRole("button", { name: "Sign out" }));
    expect(await screen.findByRole("heading", { name: "Sign in" })).toBeTruthy();
    // The session is gone on the server too: auth.me answers null.
    const me = (await (await fetch(`${inject("apiUrl")}/trpc/auth.me`)).json()) as { result: { data: { json: unknown } } };
    expect(me.result.data.json).toBeNull();
  });
});
