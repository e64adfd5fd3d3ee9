// The signed-out pages, the account page and the shared pieces in Polish, against the real API:
// the sign-in form, Join and Account read in Polish (headings, labels, buttons, a check's message
// with a Polish plural after a numeral), no English heading is left, and what is built from data —
// a throttled sign-in's wait, a 5xx's request id, the rate caption — is said in Polish, while the
// English stays what it was.
import { render } from "@testing-library/react";
import { TRPCClientError } from "@trpc/client";
import { afterEach, describe, expect, it, inject } from "vitest";
import { RateCaption } from "../src/components/Converted";
import { LimitGauge } from "../src/components/LimitGauge";
import { chooseLanguage } from "../src/i18n";
import { errorMessage, waitText } from "../src/lib/errors";
import { checkMarkup, checkPassword, checkUsd, keyProblem } from "../src/lib/checks";
import { money, rateCaption } from "../src/lib/format";
import { renderAt, screen, signOut, waitFor } from "./render";

/** The English words of the pages' main headings and buttons: none may be left in Polish. */
const ENGLISH = ["Sign in", "Join your organisation", "Account", "Change password", "Sessions", "Sign out everywhere", "Password"];
const englishLeft = () => ENGLISH.filter((word) => document.body.textContent?.includes(word));

/** A tRPC error as the client gets it from the API. */
const apiError = (message: string, data: Record<string, unknown>) =>
  TRPCClientError.from({ error: { message, code: -32600, data } });

describe("the signed-out pages and the account page in Polish", () => {
  afterEach(signOut);

  it("sign in, then Account: Polish headings, labels, buttons and a plural after a numeral", async () => {
    await chooseLanguage("pl");
    const { user } = renderAt("/sign-in");
    expect(await screen.findByRole("heading", { level: 1, name: "Zaloguj się" })).toBeTruthy();
    expect(screen.getByText("Panel zużycia, limitów i organizacji.")).toBeTruthy();
    expect(screen.getByRole("link", { name: "Dołącz z kodem zaproszenia" })).toBeTruthy();
    expect(englishLeft()).toEqual([]);

    const member = inject("member");
    await user.type(screen.getByLabelText("E-mail"), member.email);
    await user.type(screen.getByLabelText("Hasło"), member.password);
    await user.click(screen.getByRole("button", { name: "Zaloguj się" }));
    await screen.findByRole("navigation", { name: "Główna" });

    await user.click(screen.getByRole("link", { name: "Konto" }));
    expect(await screen.findByRole("heading", { level: 1, name: "Konto" })).toBeTruthy();
    expect(screen.getByRole("heading", { level: 2, name: "Zmiana hasła" })).toBeTruthy();
    expect(screen.getByRole("heading", { level: 2, name: "Sesje" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Wyloguj się wszędzie" })).toBeTruthy();
    expect(screen.getByText(/Co najmniej 12 znaków\. Bez wymagań co do cyfr i symboli/)).toBeTruthy();

    // Checked before sending, in Polish: the current password is missing, the new one is too short
    // ("12 znaków": the "many" form after 12), the repetition differs.
    await user.type(screen.getByLabelText("Nowe hasło"), "krótkie");
    await user.type(screen.getByLabelText("Powtórz nowe hasło"), "inne");
    await user.click(screen.getByRole("button", { name: "Zmień hasło" }));
    expect(await screen.findByText("Wpisz obecne hasło.")).toBeTruthy();
    expect(screen.getByText("Wybierz hasło, które ma co najmniej 12 znaków (kilka słów tworzy dobre hasło).")).toBeTruthy();
    expect(screen.getByText("Nowe hasła nie są takie same.")).toBeTruthy();

    // The confirmation asks in Polish, with a Polish Cancel.
    await user.click(screen.getByRole("button", { name: "Wyloguj się wszędzie" }));
    const dialog = await screen.findByRole("dialog");
    expect(dialog.textContent).toContain("Wylogować się wszędzie?");
    expect(screen.getByRole("button", { name: "Anuluj" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Zamknij" })).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Anuluj" }));
    await waitFor(() => expect(screen.queryByText("Wylogować się wszędzie?")).toBeNull());

    expect(englishLeft()).toEqual([]);
  });

  it("Join: the form and its checks in Polish", async () => {
    await chooseLanguage("pl");
    const { user } = renderAt("/join");
    expect(await screen.findByRole("heading", { level: 1, name: "Dołącz do organizacji" })).toBeTruthy();
    expect(screen.getByLabelText("Kod zaproszenia")).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Dołącz" }));
    expect(await screen.findByText("Wpisz adres e-mail, na który wysłano zaproszenie.")).toBeTruthy();
    expect(screen.getByText("Wpisz kod zaproszenia.")).toBeTruthy();
    expect(englishLeft()).toEqual([]);
  });
});

describe("messages built from data", () => {
  it("a throttled sign-in's wait with Polish plurals; English as the API words it", async () => {
    expect(waitText(900)).toBe("15 minutes");
    const throttled = apiError("Too many failed sign-in attempts for this account. Try again in 15 minutes.", {
      code: "TOO_MANY_REQUESTS",
      httpStatus: 429,
      retryAfterSeconds: 900,
    });
    expect(errorMessage(throttled)).toBe("Too many failed sign-in attempts for this account. Try again in 15 minutes.");

    await chooseLanguage("pl");
    expect(errorMessage(throttled)).toBe("Zbyt wiele nieudanych prób. Spróbuj ponownie za 15 minut.");
    expect(waitText(60)).toBe("1 minutę");
    expect(waitText(120)).toBe("2 minuty");
    expect(waitText(22 * 60)).toBe("22 minuty");
    expect(waitText(61)).toBe("1 minutę i 1 sekundę");
    expect(waitText(5)).toBe("5 sekund");
    expect(waitText(3)).toBe("3 sekundy");
  });

  it("a 5xx keeps its request id; a refused session, FORBIDDEN and the client's checks are Polish", async () => {
    const fault = apiError("Internal server error. Request id: 0b9e-42.", { code: "INTERNAL_SERVER_ERROR", httpStatus: 500 });
    expect(errorMessage(fault)).toBe("Internal server error. Request id: 0b9e-42.");
    expect(checkMarkup("0.5")).toEqual({ error: "The markup must be at least 1 (1×): a lower markup would sell below the OpenRouter cost, at a loss." });
    // In English a comma is not a decimal separator: "1,3" is refused, not read as 1.3.
    expect(checkMarkup("1,3")).toEqual({ error: "The markup must be a plain decimal number such as 12.5 (no thousands separators)." });
    expect(keyProblem(`sk-or-${"a".repeat(300)}`)).toBe("The key is too long to be an OpenRouter API key (at most 256 characters).");

    await chooseLanguage("pl");
    expect(errorMessage(fault)).toBe("Wewnętrzny błąd serwera. Identyfikator żądania: 0b9e-42.");
    expect(errorMessage(apiError("Only administrators can do this.", { code: "FORBIDDEN", httpStatus: 403 }))).toBe(
      "Brak uprawnień do wykonania tej operacji.",
    );
    expect(errorMessage(apiError("Not signed in.", { code: "UNAUTHORIZED", httpStatus: 401 }))).toBe("Sesja wygasła. Zaloguj się ponownie.");
    expect(checkPassword("aaaaaaaaaaaaaaa")).toMatch(/^To hasło jest powtórzonym lub kolejnym ciągiem znaków/);
    expect(keyProblem("sk-abc")).toBe("To nie jest klucz API OpenRouter: klucze OpenRouter zaczynają się od „sk-or-”.");
    // The key's format: the server catalog's key.* (the same words as the API's), by key or recognised.
    const tooLong = "The key is too long to be an OpenRouter API key (at most 256 characters).";
    const tooLongPl = "Klucz jest za długi jak na klucz API OpenRouter (najwyżej 256 znaków).";
    expect(keyProblem(`sk-or-${"a".repeat(300)}`)).toBe(tooLongPl);
    const keyed = { code: "BAD_REQUEST", httpStatus: 400, messageKey: "key.too_long", messageParams: { max: 256 } };
    expect(errorMessage(apiError(tooLong, keyed))).toBe(tooLongPl);
    expect(errorMessage(apiError(tooLong, { code: "BAD_REQUEST", httpStatus: 400 }))).toBe(tooLongPl);
    expect(errorMessage(apiError("The key is too short to be an OpenRouter API key; it may have been cut off when copied.", { code: "BAD_REQUEST", httpStatus: 400 }))).toBe(
      "Klucz jest za krótki jak na klucz API OpenRouter; mógł zostać ucięty podczas kopiowania.",
    );
    expect(checkMarkup("0.5")).toEqual({ error: expect.stringMatching(/^Narzut musi wynosić co najmniej 1/) as unknown });
    expect(checkUsd("-5")).toEqual({ error: "Limit miesięczny nie może być ujemny." });
    // Polish decimals as the dashboard writes them: a decimal comma, spaces grouping thousands; a dot still works.
    expect(checkMarkup("1,3")).toEqual({ value: "1.3" });
    expect(checkMarkup("1,25×")).toEqual({ value: "1.25" });
    expect(checkUsd("1 250,50")).toMatchObject({ value: "1250.50", nano: 1_250_500_000_000n });
    expect(checkUsd("1\u00a0250")).toMatchObject({ value: "1250", nano: 1_250_000_000_000n });
    expect(checkUsd("99.5")).toMatchObject({ value: "99.5" });
    expect(checkUsd("1,250.5")).toEqual({ error: expect.stringMatching(/^Wpisz kwotę w dolarach amerykańskich, np\. 250 lub 99,50\.$/) as unknown });
    expect(checkMarkup("1 3")).toEqual({ error: expect.stringMatching(/^Narzut musi być liczbą dziesiętną/) as unknown });
    // Refusals the API words as the forms' own checks do, field by field or whole.
    const refusedJoin = apiError("Invalid input — email: Enter the e-mail address the invitation was sent to.; code: Enter the invitation code..", {
      code: "BAD_REQUEST",
      httpStatus: 400,
      zodIssues: [
        { path: ["email"], message: "Enter the e-mail address the invitation was sent to." },
        { path: ["code"], message: "Enter the invitation code." },
      ],
    });
    expect(errorMessage(refusedJoin)).toBe("Wpisz adres e-mail, na który wysłano zaproszenie. Wpisz kod zaproszenia.");
    const samePassword = apiError("Choose a password different from the current one.", { code: "BAD_REQUEST", httpStatus: 400 });
    expect(errorMessage(samePassword)).toBe("Wybierz hasło inne niż obecne.");
  });

  it("the rate caption: English as describeRate words it, Polish with the Polish date and digits", async () => {
    const rate = { currency: "PLN", rate: "3.9876", effectiveDate: "2026-11-30", source: "nbp" as const, tableNo: null };
    const display = { currency: "PLN", rate, message: null };
    const english = render(<RateCaption display={display} />);
    expect(english.container.textContent).toBe(`Converted at ${rateCaption(rate)}.`);
    english.unmount();

    await chooseLanguage("pl");
    const polish = render(<RateCaption display={{ ...display, rate: { ...rate, source: "provider" as const } }} />);
    expect(polish.container.textContent).toBe("Przeliczono po kursie USD→PLN 3,9876 (wprowadzony przez dostawcę, 30 lis 2026).");
  });
});

describe("the limit gauge", () => {
  const gauge = { limitNano: 250_000_000_000n, spentNano: 212_500_000_000n, reservedNano: 2_000_000_000n, remainingNano: 35_500_000_000n, usedBp: 8_500, level: "warning" as const };

  it("reads as before in English and in Polish with Polish digits", async () => {
    const english = render(<LimitGauge {...gauge} />);
    expect(english.container.textContent).toContain(`${money(gauge.spentNano)} of ${money(gauge.limitNano)} (85.0 %)`);
    expect(english.container.textContent).toContain(`${money(gauge.remainingNano)} remaining`);
    expect(english.container.textContent).toContain("Over 80 % of the monthly limit is spent. Requests are refused once it is reached.");
    english.unmount();

    await chooseLanguage("pl");
    const polish = render(<LimitGauge {...gauge} />);
    expect(polish.container.textContent).toContain(`${money(gauge.spentNano)} z ${money(gauge.limitNano)} (85,0 %)`);
    expect(polish.container.textContent).toContain(`Pozostało ${money(gauge.remainingNano)}`);
    expect(polish.container.textContent).toContain("Wydano ponad 80 % limitu miesięcznego.");
    expect(polish.getByRole("meter").getAttribute("aria-label")).toBe("Wykorzystanie limitu miesięcznego");
  });
});
