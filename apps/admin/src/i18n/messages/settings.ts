import type { Polish } from "../translation";

export const en = {
  title: "Settings",
  description: "The provider's settings: the OpenRouter provisioning key, and the defaults every new organisation starts with.",
  notSaved: "Not saved.",
  saved: "Settings saved",
  savedKeyVerified: "Settings saved; the provisioning key was verified",
  lastChanged: "Last changed {{when}}",
  save: "Save settings",
  provisioning: {
    legend: "OpenRouter provisioning",
    key: "Provisioning key",
    placeholderReplace: "Paste a new management key to replace it",
    currentKey:
      "Current key: <code>{{hint}}</code>. Leave empty to keep it. A new key is checked with OpenRouter before it is saved: it must be a management key.",
    noKey:
      "No key yet: organisations cannot get a dedicated OpenRouter key provisioned. Paste an OpenRouter management key; it is checked with OpenRouter before it is saved.",
    remove: "Remove",
    removed: "Provisioning key removed",
    confirmTitle: "Remove the provisioning key?",
    confirmLabel: "Remove key",
    confirmText:
      "Until a new key is saved, organisations cannot be created with a provisioned key, and provisioned keys cannot be rotated, deactivated or have their limits changed. Keys already issued keep working. The key itself stays valid at OpenRouter.",
  },
  defaults: {
    legend: "Defaults for new organisations",
    markup: "Default markup",
    markupHint: "Multiplier of the raw OpenRouter cost, e.g. 1.3.",
    monthlyLimit: "Default monthly limit (USD)",
    monthlyLimitHint: "Currently {{amount}} a month.",
  },
  billing: {
    legend: "Billing",
    currency: "Currency",
    currencyHint: "Three-letter ISO 4217 code.",
    timeZone: "Billing time zone",
    timeZoneHint: "Days and billing months start at midnight here.",
    timeZoneError: "An IANA time zone such as Europe/Warsaw.",
  },
  signup: {
    title: "Sign-up",
    on: "Self sign-up turned on",
    off: "Self sign-up turned off",
    label: "Client administrators can sign up with their OpenRouter key",
    hintOn:
      "On: the sign-in page links to a sign-up form where someone with a key you provisioned claims its organisation as its administrator, and someone with a key of their own gets a new organisation with the defaults above.",
    hintOff: "Off: nobody can sign up on their own; accounts come only from you (mai users create) and from administrators' invitations.",
  },
  providerCost: {
    title: "What clients see",
    on: "Clients now see raw cost and markup",
    off: "Clients now see billed amounts only",
    label: "Clients see the OpenRouter cost and their markup",
    hintOn: "On: client administrators and members also see raw cost, margin and markup — on their pages, in the API and in the CSV statement.",
    hintOff:
      "Off: client administrators and members see billed amounts only; raw cost, margin and markup are left out of their pages, the API's answers and the CSV statement.",
  },
  exchangeRates: {
    title: "Exchange rates · USD→{{code}}",
    intro:
      "NBP's table A mid rate is fetched daily; a figure uses the last rate before its date (a month's statement: before the day after the month). While NBP cannot be reached, enter the day's rate here; NBP's own rate replaces it once fetched.",
    entered: "USD→{{currency}} {{rate}} saved for {{day}}",
    fetched_one: "NBP: {{count, number}} new rate",
    fetched_other: "NBP: {{count, number}} new rates",
    nobodyUses: "No organisation uses {{code}}: nothing to fetch",
    dayError: "Choose the day the rate is for.",
    rateError: "A positive decimal with a dot, e.g. 3.9876.",
    sourceNbp: "(NBP {{table}})",
    sourceProvider: "(entered by the provider)",
    none: "No rate is stored yet: figures are shown in USD only.",
    fetch: "Fetch from NBP now",
    day: "Day",
    perUsd: "{{code}} per 1 USD",
    enter: "Enter the rate",
  },
  orgCurrency: {
    saved: "Figures now also in {{currency}}",
    savedGlobal: "Figures now also in {{currency}} (the global setting)",
    error: "A three-letter ISO 4217 code (PLN, EUR…), or empty for the global setting.",
    organization: "Organisation",
    currency: "Its currency",
    placeholder: "PLN (empty: the global setting)",
    set: "Set the currency",
  },
};

export const pl: Polish<typeof en> = {
  title: "Ustawienia",
  description: "Ustawienia dostawcy: klucz provisioningowy OpenRouter oraz wartości domyślne, z którymi startuje każda nowa organizacja.",
  notSaved: "Nie zapisano.",
  saved: "Zapisano ustawienia",
  savedKeyVerified: "Zapisano ustawienia; klucz provisioningowy został zweryfikowany",
  lastChanged: "Ostatnia zmiana: {{when}}",
  save: "Zapisz ustawienia",
  provisioning: {
    legend: "Provisioning OpenRouter",
    key: "Klucz provisioningowy",
    placeholderReplace: "Wklej nowy klucz zarządzający, aby go zastąpić",
    currentKey:
      "Obecny klucz: <code>{{hint}}</code>. Pozostaw puste, aby go zachować. Nowy klucz jest sprawdzany w OpenRouter przed zapisaniem: musi to być klucz zarządzający.",
    noKey:
      "Brak klucza: organizacje nie mogą otrzymać własnego klucza OpenRouter. Wklej klucz zarządzający OpenRouter; zostanie sprawdzony w OpenRouter przed zapisaniem.",
    remove: "Usuń",
    removed: "Usunięto klucz provisioningowy",
    confirmTitle: "Usunąć klucz provisioningowy?",
    confirmLabel: "Usuń klucz",
    confirmText:
      "Dopóki nie zostanie zapisany nowy klucz, nie można tworzyć organizacji z kluczem provisioningowym, a wydanych kluczy nie można rotować, dezaktywować ani zmieniać ich limitów. Już wydane klucze nadal działają. Sam klucz pozostaje ważny w OpenRouter.",
  },
  defaults: {
    legend: "Wartości domyślne dla nowych organizacji",
    markup: "Domyślny narzut",
    markupHint: "Mnożnik kosztu dostawcy w OpenRouter, np. 1,3.",
    monthlyLimit: "Domyślny limit miesięczny (USD)",
    monthlyLimitHint: "Obecnie {{amount}} miesięcznie.",
  },
  billing: {
    legend: "Rozliczenia",
    currency: "Waluta",
    currencyHint: "Trzyliterowy kod ISO 4217.",
    timeZone: "Strefa czasowa rozliczeń",
    timeZoneHint: "Dni i miesiące rozliczeniowe zaczynają się o północy w tej strefie.",
    timeZoneError: "Strefa czasowa IANA, np. Europe/Warsaw.",
  },
  signup: {
    title: "Rejestracja",
    on: "Samodzielna rejestracja włączona",
    off: "Samodzielna rejestracja wyłączona",
    label: "Administratorzy klientów mogą się zarejestrować swoim kluczem OpenRouter",
    hintOn:
      "Włączone: strona logowania prowadzi do formularza rejestracji, w którym osoba z kluczem wydanym przez dostawcę przejmuje organizację tego klucza jako jej administrator, a osoba z własnym kluczem otrzymuje nową organizację z powyższymi wartościami domyślnymi.",
    hintOff:
      "Wyłączone: nikt nie może zarejestrować się samodzielnie; konta zakłada tylko dostawca (mai users create) lub powstają z zaproszeń administratorów.",
  },
  providerCost: {
    title: "Co widzą klienci",
    on: "Klienci widzą teraz koszt dostawcy i narzut",
    off: "Klienci widzą teraz tylko kwoty naliczone",
    label: "Klienci widzą koszt OpenRouter i swój narzut",
    hintOn: "Włączone: administratorzy klientów i członkowie widzą także koszt dostawcy, marżę i narzut — na swoich stronach, w API i w zestawieniu CSV.",
    hintOff:
      "Wyłączone: administratorzy klientów i członkowie widzą tylko kwoty naliczone; koszt dostawcy, marża i narzut są pomijane na ich stronach, w odpowiedziach API i w zestawieniu CSV.",
  },
  exchangeRates: {
    title: "Kursy wymiany · USD→{{code}}",
    intro:
      "Kurs średni NBP (tabela A) jest pobierany codziennie; kwota jest przeliczana po ostatnim kursie sprzed jej daty (zestawienie miesięczne: sprzed dnia następującego po miesiącu). Gdy NBP jest niedostępny, wprowadź tutaj kurs z danego dnia; po pobraniu zastąpi go kurs NBP.",
    entered: "Zapisano kurs USD→{{currency}} {{rate}} na dzień {{day}}",
    fetched_one: "NBP: {{count, number}} nowy kurs",
    fetched_few: "NBP: {{count, number}} nowe kursy",
    fetched_many: "NBP: {{count, number}} nowych kursów",
    fetched_other: "NBP: {{count, number}} nowego kursu",
    nobodyUses: "Żadna organizacja nie używa waluty {{code}}: nie ma czego pobierać",
    dayError: "Wybierz dzień, którego dotyczy kurs.",
    rateError: "Dodatnia liczba dziesiętna, np. 3,9876.",
    sourceNbp: "(NBP {{table}})",
    sourceProvider: "(wprowadzony przez dostawcę)",
    none: "Nie zapisano jeszcze żadnego kursu: kwoty są pokazywane tylko w USD.",
    fetch: "Pobierz z NBP teraz",
    day: "Dzień",
    perUsd: "{{code}} za 1 USD",
    enter: "Wprowadź kurs",
  },
  orgCurrency: {
    saved: "Kwoty są teraz pokazywane także w {{currency}}",
    savedGlobal: "Kwoty są teraz pokazywane także w {{currency}} (ustawienie globalne)",
    error: "Trzyliterowy kod ISO 4217 (PLN, EUR…) lub puste pole dla ustawienia globalnego.",
    organization: "Organizacja",
    currency: "Jej waluta",
    placeholder: "PLN (puste: ustawienie globalne)",
    set: "Ustaw walutę",
  },
};
