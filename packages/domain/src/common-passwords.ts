// Why: the list of common passwords `passwordProblem` refuses (./password.ts), kept apart from the
// rule because it is large (~49,000 entries, ~380 kB): the API imports it; the dashboard's bundle
// does not unless it asks for this subpath (`@mai/domain/common-passwords`).
//
// The list is zxcvbn's "passwords" dictionary — the most frequent passwords of public breach
// corpora, ranked by frequency, lower case — as maintained by the zxcvbn-ts project in the npm
// package @zxcvbn-ts/language-common (MIT licence, © Dan Wheeler and Dropbox, Inc., © zxcvbn-ts;
// no install scripts). Only the list is used, not the strength estimator.

import { dictionary } from "@zxcvbn-ts/language-common";

/** Common passwords, lower case, for `passwordProblem(password, { common: COMMON_PASSWORDS })`. */
export const COMMON_PASSWORDS: ReadonlySet<string> = new Set(
  dictionary["passwords-common"].map((p) => p.toLowerCase()),
);
