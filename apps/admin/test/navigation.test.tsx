// What each role sees: the navigation lists exactly the pages the API lets that role use, and a
// typed-in URL to a page the role may not see goes back to the overview.
import { afterEach, describe, expect, it, inject } from "vitest";
import { navLinks, renderAt, screen, signIn, signOut, waitFor } from "./render";

describe("role-dependent navigation", () => {
  afterEach(signOut);

  it("the provider sees every page and the organisation switcher", async () => {
    await signIn(inject("provider"));
    expect(await navLinks()).toEqual(["Overview", "Usage", "Organisations", "Members", "User mapping", "Connections", "API tokens", "Alerts", "Settings", "Audit log"]);
    const switcher = await screen.findByLabelText("Organisation");
    await waitFor(() => expect((switcher as HTMLSelectElement).selectedOptions[0]?.textContent).toBe(inject("organizationName")));
  });

  it("a client administrator sees their organisation's pages, no provider settings and no switcher", async () => {
    await signIn(inject("orgAdmin"));
    expect(await navLinks()).toEqual(["Overview", "Usage", "Organisations", "Members", "User mapping", "Connections", "API tokens", "Alerts", "Audit log"]);
    expect(screen.queryByLabelText("Organisation")).toBeNull();
    expect(screen.getByText("Client administrator", { exact: false })).toBeTruthy();
  });

  it("a member sees only their own usage, connections and tokens", async () => {
    await signIn(inject("member"));
    expect(await navLinks()).toEqual(["Overview", "Usage", "Connections", "API tokens", "Alerts"]);
  });

  it("a member who types an administrator's URL is sent back to the overview", async () => {
    await signIn(inject("member"));
    signOutless();
    renderAt("/settings");
    await waitFor(() => expect(window.location.pathname).toBe("/"));
    expect(await screen.findByRole("heading", { name: "Overview" })).toBeTruthy();
  });
});

/** Unmounts the first app without signing out: the next render reuses the session cookie. */
function signOutless() {
  document.body.innerHTML = "";
}
