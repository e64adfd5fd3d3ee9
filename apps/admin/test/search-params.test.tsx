// The Usage and Audit filters live in the URL and parse with the domain's search schemas: a
// well-formed parameter is applied, a malformed one is dropped (the page shows unfiltered, no error
// page), and changing a filter patches the URL while keeping the others.
import { afterEach, describe, expect, it, inject } from "vitest";
import { renderAt, screen, signIn, signOut, waitFor } from "./render";

const select = (label: string) => screen.getByLabelText<HTMLSelectElement>(label);
const params = () => new URLSearchParams(window.location.search);

/** Unmounts the signed-in app without signing out: the next render reuses the session cookie. */
function unmountKeepingSession() {
  document.body.innerHTML = "";
}

describe("filters in the URL", () => {
  afterEach(signOut);

  it("Usage: keeps a well-formed model, drops a malformed status, user and date, and patches the URL", async () => {
    await signIn(inject("provider"));
    unmountKeepingSession();
    const { user } = renderAt("/usage?model=openai%2Fgpt-4o&status=bogus&user=not-a-uuid&from=2025-13&org=nope");
    await screen.findByRole("heading", { name: "Usage" });
    await waitFor(() => expect(select("Model").value).toBe("openai/gpt-4o"));
    expect(select("Status").value).toBe("");
    expect(select("User").value).toBe("");
    // A malformed `org` falls back to the first organisation, as no `org` does.
    await waitFor(() => expect(select("Organisation").selectedOptions[0]?.textContent).toBe(inject("organizationName")));

    await user.selectOptions(select("Status"), "error");
    await waitFor(() => expect(params().get("status")).toMatch(/^"?error"?$/));
    expect(params().get("model")).toMatch(/openai\/gpt-4o/);
    expect(select("Status").value).toBe("error");
  });

  it("Audit: applies ?action and orgs=all, drops a blank action and an unknown orgs value", async () => {
    await signIn(inject("provider"));
    unmountKeepingSession();
    renderAt("/audit?action=member.*&orgs=all");
    await screen.findByRole("heading", { name: "Audit log" });
    await waitFor(() => expect(screen.getByLabelText<HTMLInputElement>("Action").value).toBe("member.*"));
    expect(select("Entries from").value).toBe("all");

    unmountKeepingSession();
    renderAt("/audit?action=%20%20&orgs=some");
    await screen.findByRole("heading", { name: "Audit log" });
    await waitFor(() => expect(select("Entries from").value).toBe("scope"));
    expect(screen.getByLabelText<HTMLInputElement>("Action").value).toBe("");
  });
});
