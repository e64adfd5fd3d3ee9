// The Overview and Usage pages in Polish, against the real API: headings, table headers, buttons
// and plural forms in Polish, no English left in the pages' headings; and, for an organisation
// whose currency is PLN, every billed USD figure of the Usage tables with its PLN conversion beside
// it and each table's rate caption once (converted from each figure's own nano-USD value, a total
// from the exact USD total — never a sum of converted figures).
import type { ExchangeRate } from "@mai/domain/format";
import { render } from "@testing-library/react";
import { afterEach, describe, expect, it, inject } from "vitest";
import { chooseLanguage } from "../src/i18n";
import { money, moneyIn, rateCaption } from "../src/lib/format";
import { ByUserCard } from "../src/pages/usage/ByUser";
import { queryClient } from "../src/trpc";
import { mutate, renderAt, screen, signIn, signOut, waitFor, within } from "./render";

/** Unmounts the signed-in app without signing out: the next render reuses the session cookie. */
function unmountKeepingSession() {
  document.body.innerHTML = "";
}

/** An ISO day `days` before today (UTC): a rate effective then is the last one before today. */
function daysAgo(days: number): string {
  return new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
}

/** The English of the pages' headings, table headers and buttons: none of it may remain in Polish. */
const ENGLISH =
  /\b(Overview|Usage|By user|By model|By day|Requests|Monthly statement|Month to date|Last 30 days|Billed cost|Tokens|Day|Refused|Total|Download statement|Period|From|To|Current month|Request filters|All users|All models|All statuses|No usage|No requests)\b/;

describe("the Overview and Usage pages in Polish", () => {
  afterEach(signOut);

  it("Usage: Polish headings, table headers, button and a plural; no English heading left", async () => {
    await signIn(inject("provider"));
    unmountKeepingSession();
    await chooseLanguage("pl");
    const { user } = renderAt("/usage");

    expect(await screen.findByRole("heading", { level: 1, name: "Zużycie" })).toBeTruthy();
    const byDay = await screen.findByRole("region", { name: "Według dni" });
    const table = await within(byDay).findByRole("table");
    const headers = within(table)
      .getAllByRole("columnheader")
      .map((th) => th.textContent?.replace(/[▲▼↕]/g, "").trim());
    // The provider's view: its raw cost too.
    expect(headers).toEqual(["Dzień", "Żądania", "Tokeny", "Kwota naliczona", "Koszt dostawcy", "Odrzucone"]);
    expect(within(table).getByRole("rowheader", { name: "Razem" })).toBeTruthy();
    expect(screen.getByRole("heading", { name: "Zestawienie miesięczne" })).toBeTruthy();
    expect(screen.getByRole("region", { name: "Żądania" })).toBeTruthy();
    expect(screen.getByRole("group", { name: "Okres" })).toBeTruthy();
    expect(screen.getByLabelText("Od")).toBeTruthy();
    expect(screen.getByRole("group", { name: "Filtry żądań" })).toBeTruthy();
    expect(screen.getByLabelText<HTMLSelectElement>("Status").options[0]?.textContent).toBe("Wszystkie statusy");
    // The seeded organisation has no request through the gateway: its breakdowns say so in Polish.
    expect(await within(screen.getByRole("region", { name: "Według modeli" })).findByText("Brak zużycia w tym okresie")).toBeTruthy();
    expect(await screen.findByText("Brak żądań w tym okresie")).toBeTruthy();

    // The statement's button, and a plural: a month without requests has no row but the TOTAL one ("0 wierszy").
    // happy-dom would follow the download's blob: link away from the API's origin; a browser saves it.
    const keepPage = (e: Event) => {
      if (e.target instanceof HTMLAnchorElement && e.target.hasAttribute("download")) e.preventDefault();
    };
    document.addEventListener("click", keepPage, true);
    await user.click(screen.getByRole("button", { name: "Pobierz zestawienie (CSV)" }));
    const done = await screen.findByText(/^Pobrano/, { selector: "p" });
    expect(done.textContent).toMatch(/: 0 wierszy \(po jednym na użytkownika i model\) i wiersz TOTAL; kwota naliczona: /);
    document.removeEventListener("click", keepPage, true);
    expect(window.location.pathname).toBe("/usage");

    const main = document.querySelector("main") ?? document.body;
    const headingsAndHeaders = [...main.querySelectorAll("h1, h2, th, button, label, legend, [role=group]")].map(
      (el) => el.textContent ?? el.getAttribute("aria-label") ?? "",
    );
    for (const text of headingsAndHeaders) expect(text).not.toMatch(ENGLISH);
  });

  it("Overview: Polish headings, figure labels and empty states; no English heading left", async () => {
    await signIn(inject("provider"));
    unmountKeepingSession();
    await chooseLanguage("pl");
    renderAt("/");

    expect(await screen.findByRole("heading", { level: 1, name: "Przegląd" })).toBeTruthy();
    expect(await screen.findByRole("heading", { name: "Od początku miesiąca" })).toBeTruthy();
    expect(screen.getByRole("heading", { name: /^Dziś \(/ })).toBeTruthy();
    expect((await screen.findAllByText("Kwota naliczona")).length).toBe(2);
    expect(screen.getByRole("heading", { name: "Ostatnie 30 dni" })).toBeTruthy();
    expect(await screen.findByText("Brak żądań w ostatnich 30 dniach")).toBeTruthy();
    expect(screen.getByRole("link", { name: "Utwórz token API" })).toBeTruthy();
    expect(screen.getByRole("heading", { name: "Użytkownicy z najwyższymi wydatkami w tym miesiącu" })).toBeTruthy();
    await waitFor(() => expect(screen.getAllByText("Brak zużycia w tym miesiącu").length).toBe(2));
    expect(document.querySelector(".page-description")?.textContent).toMatch(/ · dane w strefie czasowej .+ · miesiąc rozliczeniowy \d{4}-\d{2}$/);

    const main = document.querySelector("main") ?? document.body;
    for (const el of main.querySelectorAll("h1, h2, th, .stat-label")) expect(el.textContent).not.toMatch(ENGLISH);
  });
});

describe("converted figures on the Usage tables", () => {
  afterEach(signOut);

  it("an organisation in PLN: each by-day billed figure and the total with its złoty beside it, the rate captioned once", async () => {
    await signIn(inject("provider"));
    const { organization } = await mutate<{ organization: { id: string } }>("organizations.create", {
      name: `Złoty Handel ${Math.random().toString(36).slice(2, 8)} Sp. z o.o.`,
      provisionKey: false,
    });
    await mutate("organizations.setCurrency", { organizationId: organization.id, currency: "PLN" });
    const rate = await mutate<ExchangeRate>("exchangeRates.set", { currency: "PLN", effectiveDate: daysAgo(2), rate: "4.0011" });
    unmountKeepingSession();
    queryClient.clear(); // the organisation list the first render cached has no new organisation
    await chooseLanguage("pl");
    renderAt(`/usage?org=${organization.id}`);
    expect(await screen.findByText(/^Złoty Handel .* · /, { selector: ".page-description" })).toBeTruthy();

    const byDay = await screen.findByRole("region", { name: "Według dni" });
    const table = await within(byDay).findByRole("table");
    // Every day of the period is listed (quiet ones as zeros): each billed cell carries its złoty.
    const zero = moneyIn(0n, rate);
    expect(zero).toMatch(/zł/);
    await waitFor(() => expect(table.querySelectorAll("tbody .converted").length).toBeGreaterThan(0));
    const rows = within(table).getAllByRole("row").slice(1); // the header row first
    expect(rows.length).toBeGreaterThan(1);
    for (const row of rows) {
      const billed = within(row)
        .getAllByRole("cell")
        .filter((cell) => cell.querySelector(".converted"));
      expect(billed.map((cell) => cell.textContent)).toEqual([`${money(0n)} · ${zero}`]);
    }
    // The rate, with its date, once under the table.
    const captions = byDay.querySelectorAll(".rate-caption");
    expect(captions.length).toBe(1);
    // In Polish: the rate in Polish digits, its source and its day in words.
    expect(captions[0]!.textContent).toMatch(/^Przeliczono po kursie USD→PLN 4,0011 \(wprowadzony przez dostawcę, \d{1,2} \p{L}{3} \d{4}\)\.$/u);
  });

  it("the by-user table converts each row and the total from their own nano-USD, with Polish plurals", async () => {
    await chooseLanguage("pl");
    const rate: ExchangeRate = { currency: "PLN", rate: "4.0011", effectiveDate: "2026-11-30", source: "nbp", tableNo: "233/A/NBP/2026" };
    const row = (id: string, email: string, billedCostNano: bigint, errorRequests: number) => ({
      userId: id,
      email,
      name: null,
      externalUserId: `ext-${id}`,
      requests: 10,
      errorRequests,
      promptTokens: 100,
      completionTokens: 50,
      totalTokens: 150,
      billedCostNano,
      reasoningTokens: 0,
      cachedTokens: 0,
    });
    // $1.004 and $2.006: converted one by one 4,02 zł + 8,03 zł; the total, from $3.01 exactly, 12,04 zł.
    const rows = [row("a", "ala@firma.pl", 1_004_000_000n, 1), row("b", "olek@firma.pl", 2_006_000_000n, 4)];
    const query = { data: { rows, from: "2026-11-01", to: "2026-11-30", timeZone: "Europe/Warsaw" }, error: null, isPending: false };
    render(
      <ByUserCard
        query={query as unknown as Parameters<typeof ByUserCard>[0]["query"]}
        display={{ currency: "PLN", rate, message: null }}
      />,
    );
    const table = screen.getByRole("table", { name: "Zużycie według użytkowników" });
    const text = (name: string) => within(table).getByRole("row", { name: new RegExp(name) }).textContent ?? "";
    expect(text("ala@firma.pl")).toContain(`${money(1_004_000_000n)} · ${moneyIn(1_004_000_000n, rate)}`);
    expect(text("olek@firma.pl")).toContain(`${money(2_006_000_000n)} · ${moneyIn(2_006_000_000n, rate)}`);
    expect(moneyIn(1_004_000_000n, rate)).toMatch(/^4,02\szł$/);
    const total = text("Razem");
    expect(total).toContain(`${money(3_010_000_000n)} · ${moneyIn(3_010_000_000n, rate)}`);
    expect(moneyIn(3_010_000_000n, rate)).toMatch(/^12,04\szł$/);
    // Polish plurals: 2 users; 1 and 4 failed requests (one, few), 5 in total (many).
    expect(total).toContain("2 użytkowników");
    expect(total).toContain("5 nieudanych");
    expect(text("ala@firma.pl")).toContain("1 nieudane");
    expect(text("olek@firma.pl")).toContain("4 nieudane");
    // Headers in Polish; the rate's caption once.
    expect(within(table).getByRole("button", { name: /Zewnętrzny identyfikator użytkownika/ })).toBeTruthy();
    expect(document.querySelectorAll(".rate-caption").length).toBe(1);
    expect(document.querySelector(".rate-caption")?.textContent).toContain(rateCaption(rate));
  });
});
