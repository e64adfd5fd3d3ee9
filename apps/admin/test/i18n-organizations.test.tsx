// The Organisations, Members and API tokens pages in Polish: headings, table headers and buttons in
// Polish, the provider's count of organisations in the Polish plural form its number takes, no English
// left in the pages' headings; and a client administrator whose organisation is shown in PLN sees each
// USD figure of their card followed by its conversion, with the rate captioned once.
import { act, cleanup } from "@testing-library/react";
import { afterEach, describe, expect, it, inject } from "vitest";
import type { ExchangeRate } from "@mai/domain/format";
import { chooseLanguage } from "../src/i18n";
import { formatRateText, money, moneyIn } from "../src/lib/format";
import { queryClient } from "../src/trpc";
import { postJson } from "./node-http";
import { mutate, query, renderAt, screen, signIn, signOut, waitFor, within } from "./render";

const polish = () => act(() => chooseLanguage("pl"));
const mainText = () => document.querySelector("main")?.textContent ?? "";

/** "3 organizacje klientów", "5 organizacji klientów", "1 organizacja klienta". */
function organizationsInPolish(n: number): string {
  const form = new Intl.PluralRules("pl-PL").select(n);
  const noun = form === "one" ? "organizacja klienta" : form === "few" ? "organizacje klientów" : "organizacji klientów";
  return `${new Intl.NumberFormat("pl-PL").format(n)} ${noun}`;
}

describe("Organisations, Members and API tokens in Polish", () => {
  afterEach(signOut);

  it("the provider's pages: Polish headings, headers, buttons and plural, no English headings left", async () => {
    const { user } = await signIn(inject("provider"), "/sign-in?redirect=%2Forganizations");
    await screen.findByRole("heading", { level: 1, name: "Organisations" });
    await screen.findByRole("table", { name: "Client organisations" });
    await polish();

    // Organisations.
    await screen.findByRole("heading", { level: 1, name: "Organizacje" });
    const table = await screen.findByRole("table", { name: "Organizacje klientów" });
    for (const header of ["Nazwa", "Stan", "Klucz", "Narzut", "Limit miesięczny", "Od początku miesiąca", "Członkowie", "Działania"]) {
      expect(within(table).getByRole("columnheader", { name: new RegExp(header) })).toBeTruthy();
    }
    expect(screen.getByRole("button", { name: "Nowa organizacja" })).toBeTruthy();
    expect(within(table).getAllByRole("button", { name: "Edytuj" }).length).toBeGreaterThan(0);
    expect(within(table).getAllByText("aktywna").length).toBeGreaterThan(0);
    // Multipliers in Polish digits ("1,3×"), never the API's dot.
    const markups = [...table.querySelectorAll("tbody tr")].map((row) => row.querySelectorAll("td")[3]?.textContent ?? "");
    expect(markups.some((m) => /^\d+,\d+×$/.test(m))).toBe(true);
    expect(markups.filter((m) => /\d\.\d/.test(m))).toEqual([]);
    // As many as the table has rows (other test files may add organisations meanwhile: read both together).
    await waitFor(() => {
      const organizations = within(table).getAllByRole("row").length - 1;
      expect(mainText()).toContain(`${organizationsInPolish(organizations)}, w tym aktywne:`);
    });
    expect(mainText()).not.toMatch(/\b(Organisations?|client organisation|Monthly limit|Month to date|Members|Actions|Markup|New organisation|Edit)\b/);

    // Members of the organisation in scope.
    await user.click(screen.getByRole("link", { name: "Członkowie" }));
    await screen.findByRole("heading", { level: 1, name: "Członkowie" });
    expect(await screen.findByRole("heading", { name: "Zaproś osobę" })).toBeTruthy();
    const members = await screen.findByRole("table", { name: /^Członkowie organizacji / });
    for (const header of ["Imię i nazwisko", "E-mail", "Rola", "Zewnętrzny identyfikator użytkownika", "Data dołączenia", "Działania"]) {
      expect(within(members).getByRole("columnheader", { name: new RegExp(header) })).toBeTruthy();
    }
    expect(screen.getByRole("button", { name: "Zaproś" })).toBeTruthy();
    expect(within(members).getAllByRole("button", { name: /^Resetuj hasło użytkownika / }).length).toBeGreaterThan(0);
    expect(mainText()).not.toMatch(/\b(Members|Invite someone|Pending invitations|External user id|Joined|Reset password|Remove)\b/);

    // The provider's own API tokens.
    await user.click(screen.getByRole("link", { name: "Tokeny API" }));
    await screen.findByRole("heading", { level: 1, name: "Tokeny API" });
    expect(screen.getByRole("heading", { name: "Utwórz token" })).toBeTruthy();
    expect(screen.getByRole("heading", { name: "Połącz klienta czatu" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Utwórz token" })).toBeTruthy();
    expect(screen.getByLabelText("Nazwa tokenu")).toBeTruthy();
    expect(mainText()).not.toMatch(/\b(API tokens|Create a token|Connect a chat client|Your tokens|Create token|Token name)\b/);
  });

  it("a new organisation in Polish takes Polish decimals: markup 1,3 and a limit of 1 250,50 are sent as 1.3 and 1250.50", async () => {
    const { user } = await signIn(inject("provider"), "/sign-in?redirect=%2Forganizations");
    await screen.findByRole("table", { name: "Client organisations" });
    await polish();
    await user.click(await screen.findByRole("button", { name: "Nowa organizacja" }));
    const name = `Przecinek ${Date.now()}`;
    await user.type(await screen.findByLabelText("Nazwa"), name);
    await user.type(screen.getByLabelText(/^Limit miesięczny \(USD\)/), "1 250,50");
    await user.type(screen.getByLabelText(/^Narzut/), "1,3");
    const provision = screen.queryByLabelText<HTMLInputElement>("Załóż osobny klucz OpenRouter");
    if (provision?.checked) await user.click(provision);
    await user.click(screen.getByRole("button", { name: "Utwórz organizację" }));
    await screen.findByText(`Utworzono organizację „${name}”`);
    const listed = await query<{ name: string; markup: string; monthlyLimitNano: bigint }[]>("organizations.list", undefined);
    const created = listed.find((o) => o.name === name);
    expect(created?.markup).toBe("1.3");
    expect(BigInt(created!.monthlyLimitNano)).toBe(1_250_500_000_000n);
  });

  it("the provider's table: an organisation in PLN has its limit and spend converted, the rate captioned under the table; one in USD none", async () => {
    await signIn(inject("provider"), "/sign-in?redirect=%2Forganizations");
    const created = async (name: string) =>
      (await mutate<{ organization: { id: string } }>("organizations.create", { name, provisionKey: false, monthlyLimitUsd: "100" })).organization;
    const zloty = await created(`Zielony Rynek ${Date.now()}`);
    const dollars = await created(`Dollar Deli ${Date.now()}`);
    await mutate("organizations.setCurrency", { organizationId: zloty.id, currency: "PLN" });
    await mutate("organizations.setCurrency", { organizationId: dollars.id, currency: "USD" });
    const day = new Date(Date.now() - 4 * 86_400_000).toISOString().slice(0, 10);
    await mutate("exchangeRates.set", { currency: "PLN", effectiveDate: day, rate: "3.9" }).catch(() => undefined);
    const { rate } = await query<{ rate: ExchangeRate | null }>("usage.currency", { organizationId: zloty.id });
    expect(rate).not.toBeNull();

    // The list the sign-in's page cached has neither: the page opened anew.
    cleanup();
    queryClient.clear();
    renderAt("/organizations");
    const table = await screen.findByRole("table", { name: "Client organisations" });
    const rowOf = async (id: string) => {
      const name = await within(table).findByRole("button", { name: (n) => n.startsWith(id === zloty.id ? "Zielony Rynek" : "Dollar Deli") });
      return name.closest("tr")!;
    };
    const zlotyRow = await rowOf(zloty.id);
    await waitFor(() => expect(zlotyRow.querySelectorAll(".converted")).toHaveLength(2));
    const texts = [...zlotyRow.querySelectorAll(".converted")].map((c) => c.textContent);
    expect(texts).toEqual([` · ${moneyIn(100_000_000_000n, rate!)}`, ` · ${moneyIn(0n, rate!)}`]);
    expect((await rowOf(dollars.id)).querySelectorAll(".converted")).toHaveLength(0);
    const captions = [...document.querySelectorAll(".rate-caption")].map((c) => c.textContent ?? "");
    expect(captions.filter((c) => c.includes(`USD→PLN ${formatRateText(rate!.rate)} `))).toHaveLength(1);
  });

  it("a client administrator of an organisation in PLN: the card in Polish, each USD figure converted, the rate captioned once", async () => {
    // The provider sets up an organisation shown in PLN, a rate before today, and its administrator.
    await signIn(inject("provider"), "/sign-in?redirect=%2Forganizations");
    const { organization } = await mutate<{ organization: { id: string } }>("organizations.create", {
      name: "Kowalski i Wspólnicy Sp.j.",
      provisionKey: false,
      monthlyLimitUsd: "250",
    });
    await mutate("organizations.setCurrency", { organizationId: organization.id, currency: "PLN" });
    const day = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);
    await mutate("exchangeRates.set", { currency: "PLN", effectiveDate: day, rate: "4.05" });
    // The rate in effect: this one, or a later day's another test of this run entered (rates are global).
    const { rate } = await query<{ rate: ExchangeRate | null }>("usage.currency", { organizationId: organization.id });
    expect(rate).not.toBeNull();
    const admin = { email: "anna@kowalski.test", password: "linden trees along the vistula" };
    const { code } = await mutate<{ code: string }>("members.add", {
      organizationId: organization.id,
      email: admin.email,
      name: "Anna Kowalska",
      role: "org_admin",
    });
    await signOut();
    cleanup();
    const accepted = await postJson(
      `${inject("apiUrl")}/trpc/auth.acceptInvitation`,
      { json: { email: admin.email, code, password: admin.password } },
      { origin: inject("apiUrl") },
    );
    expect(accepted.status).toBe(200);

    await signIn(admin, "/sign-in?redirect=%2Forganizations");
    await screen.findByRole("heading", { level: 1, name: "Organisations" });
    await polish();
    await screen.findByRole("heading", { level: 1, name: "Organizacje" });
    expect(await screen.findByText("Limit miesięczny")).toBeTruthy();
    expect(screen.getByText("aktywna")).toBeTruthy();
    expect(screen.getByRole("heading", { name: "Dokąd trafiają zestawienia" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Zapisz" })).toBeTruthy();
    expect(screen.getByLabelText("E-mail do rozliczeń")).toBeTruthy();
    // $250 at the rate in effect (at 4.05 PLN a dollar: "1 012,50 zł"), beside the limit; nothing spent yet, beside the spend.
    const limit = screen.getByText("Limit miesięczny").nextElementSibling as HTMLElement;
    const converted = moneyIn(250_000_000_000n, rate!);
    if (rate!.rate === "4.05") expect(converted).toMatch(/^1\s012,50\szł$/);
    await waitFor(() => expect(limit.textContent).toBe(`${money(250_000_000_000n)} · ${converted}`));
    const spent = screen.getByText(/^Wydano w okresie \d{4}-\d{2}$/).nextElementSibling as HTMLElement;
    expect(spent.textContent).toMatch(/^0,00\s\$ · 0,00\szł\S+\s%\slimitu$/);
    // The rate, once.
    const captions = document.querySelectorAll(".rate-caption");
    expect(captions).toHaveLength(1);
    expect(captions[0]!.textContent).toContain(`USD→PLN ${formatRateText(rate!.rate)} `);
    expect(mainText()).not.toMatch(/\b(Organisations?|Monthly limit|Spent in|Where statements go|Billing e-mail|Save)\b/);
  });
});
