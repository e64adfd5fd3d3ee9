import type { Polish } from "../translation";

export const en = {
  title: "Overview",
  noOrganizations: {
    title: "No organisations yet",
    action: "Create the first organisation",
    body: "Once a client organisation exists and chats through the proxy, its usage shows here.",
  },
  /** The page's description: who, the billing time zone, the billing month. */
  description: "{{who}} · figures in {{timeZone}} · billing month {{period}}",
  yourUsage: "Your usage",
  monthlyLimit: "Monthly limit · {{period}}",
  unmetered: {
    chargedByOpenRouter:
      "Unmetered usage this month (UTC): {{amount}} charged by OpenRouter on the organisation's key that did not go through the gateway — the key used elsewhere, or charges lost. See <a>Organisations</a>.",
    atYourPrice:
      "Unmetered usage this month (UTC): {{amount}} at your price on the organisation's key that did not go through the gateway — the key used elsewhere, or charges lost. See <a>Organisations</a>.",
  },
  today: "Today ({{date}})",
  monthToDate: "Month to date",
  stats: {
    margin: "Margin",
  },
  last30Days: "Last 30 days",
  noRequests: {
    title: "No requests in the last 30 days",
    body: "Chat requests through the proxy appear here within seconds. <a>Create an API token</a> to connect a chat client.",
  },
  top: {
    yourModels: "Your models this month",
    users: "Top users this month",
    models: "Top models this month",
    user: "User",
    model: "Model",
    requests: "Requests",
    billed: "Billed",
    tableLabel: "{{title}}, table",
    empty: "No usage this month yet",
  },
};

export const pl: Polish<typeof en> = {
  title: "Przegląd",
  noOrganizations: {
    title: "Nie ma jeszcze organizacji",
    action: "Utwórz pierwszą organizację",
    body: "Gdy powstanie organizacja klienta i zacznie korzystać z czatu przez proxy, jej zużycie pojawi się tutaj.",
  },
  description: "{{who}} · dane w strefie czasowej {{timeZone}} · miesiąc rozliczeniowy {{period}}",
  yourUsage: "Własne zużycie",
  monthlyLimit: "Limit miesięczny · {{period}}",
  unmetered: {
    chargedByOpenRouter:
      "Zużycie poza pomiarem w tym miesiącu (UTC): {{amount}} naliczone przez OpenRouter na kluczu organizacji z pominięciem bramki — klucz użyty gdzie indziej albo utracone obciążenia. Zobacz <a>Organizacje</a>.",
    atYourPrice:
      "Zużycie poza pomiarem w tym miesiącu (UTC): {{amount}} według cen organizacji na kluczu organizacji z pominięciem bramki — klucz użyty gdzie indziej albo utracone obciążenia. Zobacz <a>Organizacje</a>.",
  },
  today: "Dziś ({{date}})",
  monthToDate: "Od początku miesiąca",
  stats: {
    margin: "Marża",
  },
  last30Days: "Ostatnie 30 dni",
  noRequests: {
    title: "Brak żądań w ostatnich 30 dniach",
    body: "Żądania czatu wysłane przez proxy pojawiają się tutaj w ciągu kilku sekund. <a>Utwórz token API</a>, aby połączyć klienta czatu.",
  },
  top: {
    yourModels: "Używane modele w tym miesiącu",
    users: "Użytkownicy z najwyższymi wydatkami w tym miesiącu",
    models: "Modele z najwyższymi wydatkami w tym miesiącu",
    user: "Użytkownik",
    model: "Model",
    requests: "Żądania",
    billed: "Naliczono",
    tableLabel: "{{title}}, tabela",
    empty: "Brak zużycia w tym miesiącu",
  },
};
