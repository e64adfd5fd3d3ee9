// The chat client's Connections form: the saved key comes back masked, saving the organisation's
// own key again reports the sync as "unchanged", a member's save is "skipped", and a lookalike URL
// is never taken for OpenRouter; the "Last organisation sync" card follows each save made here.
import { maskKey } from "@mai/domain";
import { afterEach, describe, expect, it, inject } from "vitest";
import { screen, signIn, signOut, waitFor } from "./render";

const lastSyncText = () => screen.getByRole("region", { name: "Last organisation sync" }).textContent ?? "";

async function addConnection(user: Awaited<ReturnType<typeof signIn>>["user"], baseUrl: string, key: string) {
  await user.clear(screen.getByLabelText("Base URL"));
  await user.type(screen.getByLabelText("Base URL"), baseUrl);
  await user.type(screen.getByLabelText("API key"), key);
  await user.click(screen.getByRole("button", { name: "Add connection" }));
}

describe("Connections page", () => {
  afterEach(signOut);

  it("a client administrator saves their organisation's key: sync unchanged, key shown masked", async () => {
    const { user } = await signIn(inject("orgAdmin"), "/sign-in?redirect=%2Fconnections");
    await screen.findByRole("heading", { name: "Connections" });
    await addConnection(user, inject("simUrl"), inject("organizationKey"));
    await user.click(screen.getByRole("button", { name: "Save" }));
    const status = await screen.findByText(/Organisation sync: unchanged/i);
    expect(status).toBeTruthy();
    const key = inject("organizationKey");
    await waitFor(() => expect(screen.getAllByText(maskKey(key), { exact: false }).length).toBeGreaterThan(0));
    // The card refreshes after the save: its outcome, when and through which door.
    await waitFor(() => expect(lastSyncText()).toMatch(/Last sync: nothing to change, .+, via this page\. This key is already your organisation's key/));
    expect(lastSyncText()).toContain(`Key ${maskKey(key)}.`);
    expect(document.body.textContent).not.toContain(key);
  });

  it("a member's save is skipped; a lookalike URL is not OpenRouter", async () => {
    const { user } = await signIn(inject("member"), "/sign-in?redirect=%2Fconnections");
    await screen.findByRole("heading", { name: "Connections" });
    await addConnection(user, "https://evil.example/openrouter.ai/api/v1", `sk-or-v1-${"9f".repeat(32)}`);
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText(/Organisation sync: skipped/i)).toBeTruthy();
    await waitFor(() => expect(lastSyncText()).toMatch(/Last sync: skipped, .+, via this page\. No enabled OpenRouter connection/));
  });
});
