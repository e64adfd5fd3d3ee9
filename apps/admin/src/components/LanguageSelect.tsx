// The language switch: each language named in itself ("English", "Polski"), the label in the
// current one. The choice is remembered in this browser (i18n/index.ts).
import { useId } from "react";
import { useTranslation } from "react-i18next";
import { chooseLanguage, LANGUAGE_NAMES, LANGUAGES, type Language } from "../i18n";

export function LanguageSelect() {
  const { t, i18n } = useTranslation();
  const id = useId();
  return (
    <span className="language-select">
      <label htmlFor={id}>{t("language.label")}</label>
      <select id={id} value={i18n.language} onChange={(e) => void chooseLanguage(e.target.value as Language)}>
        {LANGUAGES.map((language) => (
          <option key={language} value={language} lang={language}>
            {LANGUAGE_NAMES[language]}
          </option>
        ))}
      </select>
    </span>
  );
}
