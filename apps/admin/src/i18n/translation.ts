// The shape a translation must have, derived from the English messages: every key English has, with
// a string where English has one — except plural keys. English has two plural forms (`x_one`,
// `x_other`); Polish has four, and i18next picks one with Intl.PluralRules: "1 żądanie" (one),
// "2 żądania" (few: 2–4, 22–24…), "5 żądań" (many: 0, 5–21, 25…), "1,5 żądania" (other:
// fractions). So a Polish translation of a plural key must give all four, and the type says so.

type PluralSuffix = "zero" | "one" | "two" | "few" | "many" | "other";
type PluralBase<K> = K extends `${infer Base}_${PluralSuffix}` ? Base : never;

/** Messages: strings, or groups of them. */
export interface Messages {
  [key: string]: string | Messages;
}

/** A translation into a language whose plural forms are `Forms` (Polish: one, few, many, other). */
export type TranslationOf<T, Forms extends string> = {
  [K in keyof T as K extends `${string}_${PluralSuffix}` ? never : K]: T[K] extends string ? string : TranslationOf<T[K], Forms>;
} & {
  [K in PluralBase<keyof T & string> as `${K}_${Forms}`]: string;
};

/** A Polish translation of `T`: every key, and the four Polish forms of every plural. */
export type Polish<T> = TranslationOf<T, "one" | "few" | "many" | "other">;
