// The provider's global settings form: only changed fields are sent, a server refusal is shown in
// plain words with nothing saved, a valid change is saved and read back.
import { afterEach, describe, expect, it, inject } from "vitest";
import { screen, signIn, signOut, waitFor } from "./render";

async function readDefaults(): Promise<{ defaultMarkup: string; currency: string }> {
  // Read back through the page's own session (the window's cookie jar), as the dashboard does.
  const res = await fetch(`${inject("apiUrl")}/trpc/globalSettings.get`);
  return ((await res.json()) as { result: { data: { json: { defaultMarkup: string; currency: string } } } }).result.data.json;
}

describe("Settings page (provider)", () => {
  afterEach(signOut);

  it("refuses a bad time zone on the spot and an ordinary key as provisioning key with the server's reason; saves a new markup", async () => {
    const { user } = await signIn(inject("provider"), "/sign-in?redirect=%2Fsettings");
    await screen.findByRole("heading", { name: "Settings" });
    const save = await screen.findByRole("button", { name: "Save settings" });
    await waitFor(() => expect(screen.getByLabelText<HTMLInputElement>("Default markup").value).not.toBe(""));
    expect((save as HTMLButtonElement).disabled).toBe(true);

    const zone = screen.getByLabelText("Billing time zone");
    await user.clear(zone);
    await user.type(zone, "Mars/Olympus_Mons");
    await user.click(save);
    expect((await screen.findByText(/IANA time zone/)).textContent).toBeTruthy();
    await user.clear(zone);
    await user.type(zone, "Europe/Warsaw");

    // An ordinary API key is not a provisioning (management) key: the API checks it live and refuses.
    await user.type(screen.getByLabelText("Provisioning key"), inject("organizationKey"));
    await user.click(save);
    expect((await screen.findByText(/Not saved/)).textContent).toMatch(/management|provisioning/i);
    expect(await readDefaults()).toMatchObject({ defaultMarkup: "1.3" });
    await user.clear(screen.getByLabelText("Provisioning key"));

    const markup = screen.getByLabelText("Default markup");
    await user.clear(markup);
    await user.type(markup, "1.45");
    await user.click(save);
    await waitFor(async () => expect((await readDefaults()).defaultMarkup).toBe("1.45"));
  });
});
