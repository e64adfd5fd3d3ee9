// The provider's administration pages in Polish: the audit log, alerts, user mapping, connections
// and settings, opened one after another from the (Polish) navigation against the real API. Each
// shows its Polish heading, card headings, column headers and buttons, and none of its English
// headings; the audit log's count of entries uses the Polish plural form its number asks for.
import { afterEach, describe, expect, it, inject } from "vitest";
import { chooseLanguage } from "../src/i18n";
import { queryClient, trpc } from "../src/trpc";
import { query, screen, signIn, signOut, waitFor, within } from "./render";

const main = () => document.getElementById("main")!;

/** Every h1/h2 of the page: none may still be one of the page's English headings. */
function expectNoEnglishHeadings(english: readonly string[]) {
  const headings = [...main().querySelectorAll("h1, h2")].map((h) => h.textContent?.trim() ?? "");
  expect(headings.length).toBeGreaterThan(0);
  for (const heading of headings) expect(english).not.toContain(heading);
  for (const text of english) expect(main().textContent).not.toContain(text);
}

const openFromNav = async (user: { click(element: Element): Promise<void> }, name: string) => {
  const nav = screen.getByRole("navigation", { name: "Główna" });
  await user.click(within(nav).getByRole("link", { name }));
};

/** "wpis" / "wpisy" / "wpisów" / "wpisu": the form Polish asks for after `n`. */
const ENTRY_FORM = { one: "wpis", few: "wpisy", many: "wpisów", other: "wpisu" } as Record<Intl.LDMLPluralRule, string>;

describe("the provider's administration pages in Polish", () => {
  afterEach(signOut);

  it("audit log, alerts, user mapping, connections and settings speak Polish, with Polish plurals", async () => {
    const { user } = await signIn(inject("provider"), "/sign-in?redirect=%2Faudit");
    await chooseLanguage("pl");

    // Audit log.
    await screen.findByRole("heading", { level: 1, name: "Dziennik zdarzeń" });
    expect(await screen.findByRole("columnheader", { name: "Wykonawca" })).toBeTruthy();
    expect(screen.getByRole("columnheader", { name: "Akcja" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Filtruj" })).toBeTruthy();
    expect(screen.getByRole("search", { name: "Filtruj według akcji" })).toBeTruthy();
    const pager = await screen.findByText(/^Pokazano \d+ /);
    const shown = /^Pokazano (\d+) (\S+), od najnowszego/.exec(pager.textContent ?? "");
    expect(shown, pager.textContent ?? "").not.toBeNull();
    const n = Number(shown![1]);
    expect(n).toBeGreaterThan(1);
    expect(shown![2]).toBe(ENTRY_FORM[new Intl.PluralRules("pl").select(n)]);
    expectNoEnglishHeadings(["Audit log", "Entries from", "newest first", "Load more", "that is all"]);

    // Alerts.
    await openFromNav(user, "Alerty");
    await screen.findByRole("heading", { level: 1, name: "Alerty" });
    expect(await screen.findByRole("heading", { name: "Ustawienia alertów" })).toBeTruthy();
    expect(await screen.findByRole("button", { name: "Zapisz ustawienia alertów" })).toBeTruthy();
    expect(screen.getByLabelText("Progi (% limitu miesięcznego)")).toBeTruthy();
    expect(screen.getByRole("heading", { name: "Wysłane alerty" })).toBeTruthy();
    expect(await screen.findByRole("heading", { name: "Dziennik dostarczeń" })).toBeTruthy();
    expectNoEnglishHeadings(["Alerts", "Alert settings", "Alerts fired", "Delivery log", "Save alert settings"]);
    // The language of the organisation's alert e-mails: chosen here, saved, and put back.
    const language = screen.getByLabelText<HTMLSelectElement>("Język e-maili z alertami");
    expect([...language.options].map((o) => o.textContent)).toEqual(["English", "Polski"]);
    // The organisation in scope (the page's settings name it), asked of the API after each save.
    const cached = queryClient.getQueriesData<{ organizationId: string }>({ queryKey: trpc.alerts.getSettings.pathKey() });
    const organizationId = cached.map(([, data]) => data?.organizationId).find(Boolean);
    expect(organizationId).toBeDefined();
    const saveAs = async (value: "en" | "pl") => {
      // Looked up each time: a saved form is rendered anew.
      await user.selectOptions(screen.getByLabelText<HTMLSelectElement>("Język e-maili z alertami"), value);
      await user.click(screen.getByRole("button", { name: "Zapisz ustawienia alertów" }));
      await waitFor(async () => expect((await query<{ emailLanguage: string }>("alerts.getSettings", { organizationId })).emailLanguage).toBe(value));
      await waitFor(() => expect(screen.getByRole<HTMLButtonElement>("button", { name: "Zapisz ustawienia alertów" }).disabled).toBe(true));
    };
    await saveAs("pl");
    await saveAs("en");

    // User mapping.
    await openFromNav(user, "Przypisania użytkowników");
    await screen.findByRole("heading", { level: 1, name: "Przypisania użytkowników" });
    expect(await screen.findByRole("heading", { name: "Wszyscy użytkownicy" })).toBeTruthy();
    expect(screen.getAllByRole("columnheader", { name: "Identyfikator zewnętrzny" }).length).toBeGreaterThan(0);
    expect(screen.getByRole("button", { name: "Sprawdź przypisanie" })).toBeTruthy();
    expect(await screen.findByRole("heading", { name: "Konfiguracja" })).toBeTruthy();
    expectNoEnglishHeadings(["User mapping", "Summary", "All users", "Test mapping", "Configuration", "External id"]);

    // Connections.
    await openFromNav(user, "Połączenia");
    await screen.findByRole("heading", { level: 1, name: "Połączenia" });
    expect(await screen.findByRole("heading", { name: "Ostatnia synchronizacja organizacji" })).toBeTruthy();
    expect(await screen.findByRole("button", { name: "Dodaj połączenie" })).toBeTruthy();
    expect(screen.getByLabelText("Bazowy URL")).toBeTruthy();
    expectNoEnglishHeadings(["Connections", "Last organisation sync", "Your connections", "Add a connection", "Last sync"]);

    // Settings.
    await openFromNav(user, "Ustawienia");
    await screen.findByRole("heading", { level: 1, name: "Ustawienia" });
    expect(await screen.findByRole("button", { name: "Zapisz ustawienia" })).toBeTruthy();
    await waitFor(() => expect(screen.getByLabelText<HTMLInputElement>("Domyślny narzut").value).not.toBe(""));
    expect(screen.getByText("Wartości domyślne dla nowych organizacji")).toBeTruthy();
    expect(await screen.findByRole("heading", { name: /^Kursy wymiany · USD→/ })).toBeTruthy();
    expect(screen.getByRole("heading", { name: "Co widzą klienci" })).toBeTruthy();
    expectNoEnglishHeadings(["Settings", "Sign-up", "What clients see", "Exchange rates", "Defaults for new organisations", "Save settings"]);
  });
});
