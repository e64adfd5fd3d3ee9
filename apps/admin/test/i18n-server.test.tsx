// What the API writes, in Polish: a refusal, a sync outcome and (below) any keyed message come with
// their catalog key (@mai/domain SERVER_MESSAGES), and the dashboard says them from its `server`
// namespace — a wrong current password on Account, an invalid invitation code on Join, a
// Connections save's sync outcome, against the real API. A message without a key, or with a key
// this dashboard does not know, stays the API's English.
import { render } from "@testing-library/react";
import { TRPCClientError } from "@trpc/client";
import { afterEach, describe, expect, it, inject } from "vitest";
import { RateCaption } from "../src/components/Converted";
import { chooseLanguage } from "../src/i18n";
import { errorMessage, serverText } from "../src/lib/errors";
import { renderAt, screen, signIn, signOut, waitFor } from "./render";

/** A tRPC error as the client gets it from the API. */
const apiError = (message: string, data: Record<string, unknown>) => TRPCClientError.from({ error: { message, code: -32600, data } });

describe("the API's messages in Polish", () => {
  afterEach(async () => {
    await signOut();
    await chooseLanguage("en");
  });

  it("Account: the API's refusal of a wrong current password is said in Polish", async () => {
    const { user } = await signIn(inject("polishMember"), "/sign-in?redirect=%2Faccount");
    await chooseLanguage("pl");
    expect(await screen.findByRole("heading", { level: 1, name: "Konto" })).toBeTruthy();
    await user.type(screen.getByLabelText("Obecne hasło"), "not the current password at all");
    await user.type(screen.getByLabelText("Nowe hasło"), "rivers bend twice before the sea");
    await user.type(screen.getByLabelText("Powtórz nowe hasło"), "rivers bend twice before the sea");
    await user.click(screen.getByRole("button", { name: "Zmień hasło" }));
    expect(await screen.findByText("Obecne hasło jest nieprawidłowe.", { exact: false })).toBeTruthy();
    expect(document.body.textContent).not.toContain("The current password is not right.");
  });

  it("Join: an invalid invitation code is refused in Polish", async () => {
    await chooseLanguage("pl");
    const { user } = renderAt("/join");
    expect(await screen.findByRole("heading", { level: 1, name: "Dołącz do organizacji" })).toBeTruthy();
    await user.type(screen.getByLabelText("E-mail"), "nobody-invited@example.com");
    await user.type(screen.getByLabelText("Kod zaproszenia"), "ABCD-EFGH-JKMN-PQRS-TUVW-XYZ2");
    await user.type(screen.getByLabelText("Hasło"), "a perfectly long password of mine");
    await user.click(screen.getByRole("button", { name: "Dołącz" }));
    expect(await screen.findByText(/Ten kod zaproszenia jest nieprawidłowy/)).toBeTruthy();
    expect(document.body.textContent).not.toContain("This invitation code is not valid");
  });

  it("Connections: a save's sync outcome and the last sync are said in Polish", async () => {
    const { user } = await signIn(inject("polishMember"), "/sign-in?redirect=%2Fconnections");
    await chooseLanguage("pl");
    expect(await screen.findByRole("heading", { level: 1, name: "Połączenia" })).toBeTruthy();
    await user.clear(screen.getByLabelText("Bazowy URL"));
    await user.type(screen.getByLabelText("Bazowy URL"), inject("simUrl"));
    await user.type(screen.getByLabelText("Klucz API"), inject("organizationKey"));
    await user.click(screen.getByRole("button", { name: "Dodaj połączenie" }));
    await user.click(screen.getByRole("button", { name: "Zapisz" }));
    const skipped = "Synchronizację organizacji uruchamiają tylko administratorzy klienta; połączenie zostało zapisane do własnego użytku.";
    // The save's answer, and the "Last organisation sync" card read back from the stored English.
    await waitFor(() => expect(screen.getAllByText(skipped, { exact: false }).length).toBe(2));
    expect(document.body.textContent).not.toContain("Only client administrators trigger organisation sync");
  });

  it("a keyed message with parameters and a plural; English without a key or with an unknown one", async () => {
    await chooseLanguage("pl");
    const taken = apiError('An organisation named "Acme" already exists.', {
      code: "CONFLICT",
      httpStatus: 409,
      messageKey: "organization.nameTaken",
      messageParams: { name: "Acme" },
    });
    expect(errorMessage(taken)).toBe("Organizacja o nazwie „Acme” już istnieje.");
    expect(serverText("5 mappings share…", "mapping.duplicate", { count: 5 })).toMatch(/^5 przypisań ma ten sam/);
    expect(serverText("2 mappings share…", "mapping.duplicate", { count: 2 })).toMatch(/^2 przypisania mają ten sam/);
    expect(errorMessage(apiError("Something new.", { code: "CONFLICT", httpStatus: 409, messageKey: "nothing.known" }))).toBe("Something new.");
    expect(errorMessage(apiError("No key here.", { code: "CONFLICT", httpStatus: 409 }))).toBe("No key here.");
    await chooseLanguage("en");
    expect(errorMessage(taken)).toBe('An organisation named "Acme" already exists.');
  });

  it("usage.currency's no-rate message is said in Polish by its key", async () => {
    await chooseLanguage("pl");
    const english = "No USD→PLN exchange rate is known for a day before 2026-12-02: amounts are shown in USD only.";
    const display = { currency: "PLN", rate: null, message: english, messageKey: "rates.none", messageParams: { currency: "PLN", before: "2026-12-02" } };
    const { container, unmount } = render(<RateCaption display={display} />);
    expect(container.textContent).toMatch(/^Nie jest znany kurs wymiany USD→PLN z dnia przed 2026-12-02: kwoty są podawane tylko w USD\./);
    unmount();
    // Without a key (an older API), the API's English.
    expect(render(<RateCaption display={{ currency: "PLN", rate: null, message: english }} />).container.textContent).toBe(english);
  });
});
