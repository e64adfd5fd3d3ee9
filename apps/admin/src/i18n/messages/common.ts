import type { Polish } from "../translation";

export const en = {
  nav: {
    main: "Main",
    overview: "Overview",
    usage: "Usage",
    organizations: "Organisations",
    members: "Members",
    userMapping: "User mapping",
    connections: "Connections",
    tokens: "API tokens",
    alerts: "Alerts",
    settings: "Settings",
    audit: "Audit log",
  },
  role: {
    provider_admin: "Provider administrator",
    org_admin: "Client administrator",
    member: "Member",
  },
  layout: {
    skipToContent: "Skip to content",
    menu: "Menu",
    account: "Account",
    signOut: "Sign out",
    organization: "Organisation",
    loadingOrganizations: "Loading organisations…",
    noOrganizations: "No organisations yet",
    inactive: "{{name}} (inactive)",
  },
  language: {
    label: "Language",
  },
};

export const pl: Polish<typeof en> = {
  nav: {
    main: "Główna",
    overview: "Przegląd",
    usage: "Zużycie",
    organizations: "Organizacje",
    members: "Członkowie",
    userMapping: "Przypisania użytkowników",
    connections: "Połączenia",
    tokens: "Tokeny API",
    alerts: "Alerty",
    settings: "Ustawienia",
    audit: "Dziennik zdarzeń",
  },
  role: {
    provider_admin: "Administrator dostawcy",
    org_admin: "Administrator klienta",
    member: "Członek",
  },
  layout: {
    skipToContent: "Przejdź do treści",
    menu: "Menu",
    account: "Konto",
    signOut: "Wyloguj się",
    organization: "Organizacja",
    loadingOrganizations: "Wczytywanie organizacji…",
    noOrganizations: "Nie ma jeszcze organizacji",
    inactive: "{{name}} (nieaktywna)",
  },
  language: {
    label: "Język",
  },
};
