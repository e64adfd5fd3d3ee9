// The dashboard's language: English or Polish (i18next, with react-i18next for the pages). The
// reader's choice is remembered in this browser (localStorage); until they choose, the browser's
// preferred languages decide (the first of them that is Polish or English), English otherwise.
// Changing the language also sets the locale figures and dates are written in (lib/format.ts) and
// the page's `lang`, so screen readers read Polish as Polish.
import i18next from "i18next";
import { initReactI18next } from "react-i18next";
import { setDisplayLocale } from "../lib/format";
import { NAMESPACES, resources } from "./resources";

export const LANGUAGES = ["en", "pl"] as const;
export type Language = (typeof LANGUAGES)[number];
/** Each language named in itself, for the switch. */
export const LANGUAGE_NAMES: Record<Language, string> = { en: "English", pl: "Polski" };
export const LANGUAGE_STORAGE_KEY = "mai.language";

const isLanguage = (value: unknown): value is Language => (LANGUAGES as readonly unknown[]).includes(value);

/** The stored choice if there is one, else the first of the browser's languages we have, else English. */
export function detectLanguage(stored: string | null, browserLanguages: readonly string[]): Language {
  if (isLanguage(stored)) return stored;
  for (const tag of browserLanguages) {
    const base = tag.toLowerCase().split("-")[0];
    if (isLanguage(base)) return base;
  }
  return "en";
}

/**
 * The locale figures are written in: Polish → pl-PL; English → the browser's own English (en-US
 * writes 12/1 dates its way, en-GB its), en-GB when the browser's language is not English.
 */
export function localeFor(language: Language, browserLanguages: readonly string[]): string {
  if (language === "pl") return "pl-PL";
  return browserLanguages.find((tag) => tag.toLowerCase().startsWith("en")) ?? "en-GB";
}

function storage(): Storage | undefined {
  try {
    return typeof localStorage === "undefined" ? undefined : localStorage;
  } catch {
    return undefined; // storage blocked (a privacy setting): the choice lasts for this page only
  }
}
const browserLanguages = (): readonly string[] =>
  typeof navigator === "undefined" ? [] : navigator.languages?.length ? navigator.languages : [navigator.language];

function apply(language: Language): void {
  setDisplayLocale(localeFor(language, browserLanguages()));
  if (typeof document !== "undefined") document.documentElement.lang = language;
}

export const i18n = i18next.createInstance();
void i18n.use(initReactI18next).init({
  resources,
  ns: NAMESPACES,
  defaultNS: "common",
  lng: detectLanguage(storage()?.getItem(LANGUAGE_STORAGE_KEY) ?? null, browserLanguages()),
  fallbackLng: "en",
  supportedLngs: [...LANGUAGES],
  // React escapes what it renders; escaping here too would show "&amp;".
  interpolation: { escapeValue: false },
  // Resources are bundled: ready at once, no Suspense on first render.
  initAsync: false,
  returnNull: false,
});
apply(i18n.language as Language);
i18n.on("languageChanged", (language) => {
  if (isLanguage(language)) apply(language);
});

/** Switches the dashboard's language and remembers the choice in this browser. */
export async function chooseLanguage(language: Language): Promise<void> {
  storage()?.setItem(LANGUAGE_STORAGE_KEY, language);
  await i18n.changeLanguage(language);
}

export const currentLanguage = (): Language => (isLanguage(i18n.language) ? i18n.language : "en");
