// The Polish dashboard is complete and well-formed: every English message has a Polish one (and no
// Polish message is left over from a removed English one), every plural has Polish's four forms,
// and every {{placeholder}} of the English reaches the Polish. The language is the remembered
// choice, else the browser's, else English.
import { describe, expect, it } from "vitest";
import { detectLanguage, localeFor } from "../src/i18n";
import { resources } from "../src/i18n/resources";

type Tree = { [key: string]: string | Tree };
const PLURAL = /_(zero|one|two|few|many|other)$/;

function flatten(tree: Tree, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    if (typeof value === "string") out.set(prefix + key, value);
    else for (const [k, v] of flatten(value, `${prefix}${key}.`)) out.set(k, v);
  }
  return out;
}
const placeholders = (text: string) => new Set([...text.matchAll(/\{\{\s*([\w.]+)/g)].map((m) => m[1]));

describe("messages", () => {
  const polishForms = new Intl.PluralRules("pl").resolvedOptions().pluralCategories;

  for (const [ns, english] of Object.entries(resources.en)) {
    it(`${ns}: every English message has a Polish one, with Polish plural forms and the same placeholders`, () => {
      const en = flatten(english);
      const pl = flatten((resources.pl as Record<string, Tree>)[ns]!);
      const expected = new Set<string>();
      for (const key of en.keys()) {
        if (PLURAL.test(key)) for (const form of polishForms) expected.add(key.replace(PLURAL, `_${form}`));
        else expected.add(key);
      }
      expect([...pl.keys()].sort()).toEqual([...expected].sort());
      for (const [key, text] of pl) {
        expect(text.trim(), `${ns}:${key} is empty`).not.toBe("");
        const source = en.get(key) ?? en.get(key.replace(PLURAL, "_other"))!;
        expect(placeholders(text), `${ns}:${key}`).toEqual(placeholders(source));
      }
    });
  }

  it("Polish has the four plural forms the messages are written for", () => {
    expect([...polishForms].sort()).toEqual(["few", "many", "one", "other"]);
  });
});

describe("the dashboard's language", () => {
  it("is the remembered choice first, then the browser's first language we have, then English", () => {
    expect(detectLanguage("pl", ["en-US"])).toBe("pl");
    expect(detectLanguage("en", ["pl-PL"])).toBe("en");
    expect(detectLanguage(null, ["pl-PL", "en-US"])).toBe("pl");
    expect(detectLanguage(null, ["de-DE", "pl"])).toBe("pl");
    expect(detectLanguage(null, ["de-DE", "en-GB", "pl"])).toBe("en");
    expect(detectLanguage(null, ["de-DE"])).toBe("en");
    expect(detectLanguage("klingon", [])).toBe("en");
  });

  it("writes figures in Polish for Polish, and in the browser's own English for English", () => {
    expect(localeFor("pl", ["en-US"])).toBe("pl-PL");
    expect(localeFor("en", ["pl-PL", "en-US"])).toBe("en-US");
    expect(localeFor("en", ["de-DE"])).toBe("en-GB");
  });
});
