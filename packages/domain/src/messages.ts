// The API's human messages, by key: the English text a client reads today, beside the key a
// translating client (the dashboard) looks its own language up by. `{{name}}` marks a parameter:
// parameters are plain strings or numbers the reader may see (a month, an organisation's name, a
// count) — never a secret. A message with a count has `_one`/`_other` forms and takes `count`.
// Groups nest (`invitation.invalid` is SERVER_MESSAGES.invitation.invalid), as i18next reads them.
// No imports: the dashboard bundles this file (`@mai/domain/messages`).

export const SERVER_MESSAGES = {
  common: {
    /** A unique value the database refused (a name or key someone already has). */
    exists: "This already exists.",
  },
  auth: {
    wrongCredentials: "Wrong e-mail or password.",
    temporaryExpired: "This temporary password has expired; ask your administrator for a new one.",
    signInFirst: "Sign in first.",
    newPasswordFirst: "Choose a new password first.",
    sessionOnly: "Only a dashboard session can do this.",
    sessionOnlyNotToken: "Only a dashboard session can do this, not an API token.",
    providerOnly: "Only the provider's administrators can do this.",
    chatToken:
      "This token is for chat: sign in to the dashboard to do this (an administrator can create a manage token for scripts).",
    noSuchUser: "No such user.",
    signUpOff:
      "Self sign-up is turned off by your provider. Ask your provider for an account, or your administrator for an invitation.",
    signUpKeyUnusable: "This key cannot be used to sign up. Use the key your provider gave you, or contact the provider.",
  },
  access: {
    chooseOrganization: "Choose an organisation.",
    noOrganization: "You do not belong to an organisation yet.",
    ownUsageOnly: "You can only see your own usage.",
    adminsListOrganizations: "Only administrators can list organisations.",
    adminsSeeThis: "Only administrators can see this.",
    adminsSeeUnmeteredUsage: "Only administrators can see the unmetered usage.",
    adminsSeeAuditLog: "Only administrators can see the audit log.",
    adminsSeeUserMappings: "Only administrators can see the user mappings.",
    adminsSeeOrganization: "Only administrators can see the organisation.",
    ownUnmeteredUsage: "You can only see your own organisation's unmetered usage.",
    ownAuditLog: "You can only see your own organisation's audit log.",
    ownUserMappings: "You can only see your own organisation's user mappings.",
    ownOrganization: "You can only see your own organisation's organisation.",
    ownUsage: "You can only see your own organisation's usage.",
  },
  invitation: {
    /** A wrong, expired, revoked or already used code, or a code for another e-mail: one refusal. */
    invalid:
      "This invitation code is not valid: it may be mistyped, expired, revoked or already used. Ask your administrator for a new one.",
    /** The e-mail already has an account: the invitation cannot create it again. */
    existingAccount: "This invitation cannot be used. Sign in with your account, or ask your administrator.",
    /** A signed-in account that already belongs to an organisation (or is the provider's). */
    alreadyInOrganization:
      "Your account already belongs to an organisation, so it cannot join another one. Ask your administrator or your provider.",
  },
  password: {
    currentWrong: "The current password is not right.",
    sameAsCurrent: "Choose a password different from the current one.",
    ownResetHere: "You cannot reset your own password here: change your own password under Account.",
  },
  members: {
    alreadyMember: "This user is already a member of this organisation.",
    belongsElsewhere: "This user already belongs to an organisation (a user belongs to at most one organisation).",
    noSuchInvitation: "No such pending invitation in this organisation.",
    cannotRemoveSelf: "You cannot remove yourself from your organisation.",
    noSuchMember: "No such member in this organisation.",
  },
  organization: {
    notFound: "Organisation not found.",
    nameTaken: 'An organisation named "{{name}}" already exists.',
    nameLength: "An organisation name is 1 to {{max}} characters.",
    keyTaken: "This key is already attached to another organisation.",
    provisionOrGive: "Either provision a key or give one, not both.",
    rotateDeactivated: "This organisation is deactivated; reactivate it before rotating its key.",
    rotatedKeyTaken: "OpenRouter returned a key that is already attached to an organisation.",
    noProvisioningKey: "No provisioning key is configured: set one in the global settings first.",
    provisioningRejectedCreate:
      "OpenRouter rejected the provisioning key while trying to create a key; replace it in the global settings.",
    provisioningRejectedUpdate:
      "OpenRouter rejected the provisioning key while trying to update the organisation's key; replace it in the global settings.",
    provisioningRejectedDisable:
      "OpenRouter rejected the provisioning key while trying to disable the organisation's key; replace it in the global settings.",
    notReconciled: "The key of this organisation has not been reconciled for {{month}} yet: there is nothing to bill.",
    noUnmetered: "There is no unmetered usage to bill for {{month}}.",
    unmeteredBilled: "The unmetered usage of {{month}} is already billed.",
  },
  tokens: {
    manageNeedsAdmin: "Only administrators can create a manage token; create a chat token instead.",
    noSuchActive: "No such active token.",
  },
  settings: {
    provisioningKeyRejected: "OpenRouter rejected this key: it is unknown, disabled or revoked.",
    inferenceKey:
      "This is an inference key. The provisioning key must be an OpenRouter management key (Settings → Management keys on openrouter.ai).",
    maskedKey: "Paste the whole provisioning key, not a masked one.",
    unknownTimeZone: 'Unknown time zone "{{timeZone}}".',
    currency: "The currency must be a three-letter ISO 4217 code.",
  },
  alerts: {
    noThreshold: "Give at least one threshold, e.g. 80 and 100 (per cent of the monthly limit).",
    tooManyThresholds: "Give at most {{max}} thresholds.",
    wholeThreshold: "A threshold is a whole number of per cent, e.g. 80.",
    thresholdRange: "A threshold is between {{min}} % and {{max}} % of the monthly limit ({{value}} % is not).",
    thresholdTwice: "The threshold {{value}} % is given twice.",
    secretWithoutUrl: "A signing secret needs a webhook URL to sign for.",
    urlWithoutSecret: "Give a signing secret (at least 16 characters) with the webhook URL: every delivery is signed with it.",
    urlTooLong: "The webhook URL is too long (at most {{max}} characters).",
    urlNotUrl: "The webhook URL is not a URL (e.g. https://hooks.example.com/mai).",
    urlCredentials: "The webhook URL must not hold a user name or password; sign requests with the secret instead.",
    urlHttps: "The webhook URL must use https.",
    urlHttpsScheme: "The webhook URL must be an https:// URL.",
  },
  rates: {
    displayCurrency: "A display currency is a three-letter ISO 4217 code other than USD.",
    day: "A rate's day is written YYYY-MM-DD.",
    known: "NBP's rate for {{date}} is known ({{rate}}, table {{table}}); it is the one used.",
    currency: "A currency is a three-letter ISO 4217 code (USD, PLN, EUR…).",
    /** No rate to convert with: the figures stay in USD (usage.currency's `message`). */
    none: "No USD→{{currency}} exchange rate is known for a day before {{before}}: amounts are shown in USD only. NBP's rate is fetched daily; while NBP cannot be reached, the provider can enter the rate (exchangeRates.set).",
  },
  dates: {
    calendarDates: "Dates are calendar dates written YYYY-MM-DD.",
    month: "A month is written YYYY-MM.",
    startAfterEnd: "The start date must not be after the end date.",
  },
  sync: {
    skippedMember: "Only client administrators trigger organisation sync; your connection was saved for your own use.",
    skippedProvider:
      "Only client administrators trigger organisation sync; as the provider, manage organisations and their keys from the dashboard.",
    unchanged: "This key is already your organisation's key; nothing changed.",
    claim: "The provider issued this key for an organisation that has no administrator yet; you are now its administrator.",
    conflict:
      "This key is already attached to another organisation. Use the key issued for your organisation, or contact the provider.",
    update: "Your organisation's OpenRouter key was replaced with the new key.",
    create: "A new organisation was created for this key, with you as its administrator.",
    /** `create`, with the new organisation's name. */
    createNamed: "A new organisation was created for this key, with you as its administrator. ({{organization}})",
    noConnection: "No enabled OpenRouter connection with a valid key in these settings.",
    failed: "The organisation sync failed; your settings are saved. Save again to retry.",
    managementKey: "This is an OpenRouter management key; chat needs an inference key.",
    /** `detail` is OpenRouter's own words: said as they are. */
    keyRejected: "OpenRouter rejected this key ({{status}}: {{detail}}).",
  },
  /**
   * Why a pasted OpenRouter key is refused (validateOpenRouterKey, ./keys.ts), named by its
   * KeyErrorCode so `key.${code}` is the message of a code. Fixed sentences: never the key.
   */
  key: {
    empty: "Enter an OpenRouter API key.",
    missing_prefix: 'This is not an OpenRouter API key: OpenRouter keys start with "sk-or-".',
    whitespace: "The key contains a space or line break; paste it again without one.",
    invalid_characters:
      "The key contains characters an OpenRouter key never has (only letters, digits, '-' and '_' are possible); paste it again.",
    too_short: "The key is too short to be an OpenRouter API key; it may have been cut off when copied.",
    /** `max`: the longest key accepted (256). */
    too_long: "The key is too long to be an OpenRouter API key (at most {{max}} characters).",
    malformed_v1:
      'The key looks like an OpenRouter v1 key but is malformed: a v1 key is "sk-or-v1-" followed by exactly 64 lowercase hexadecimal characters (0-9, a-f).',
  },
  mapping: {
    noSuchUser: "No such user in your organisation.",
    invalidFormat: "The external id is not of the form mai_client_<org8>_user_<user8>; expected {{expected}}.",
    mismatch: "The external id does not match this organisation and user; expected {{expected}}.",
    duplicate_one: "{{count}} mapping shares this external id, so its usage cannot be told apart.",
    duplicate_other: "{{count}} mappings share this external id, so their usage cannot be told apart.",
    inactiveOrganization: 'Mapped to the inactive organisation "{{organization}}": requests are refused.',
    unmapped: "Not mapped to any organisation: the proxy refuses this user's requests.",
  },
} as const;

type PluralSuffix = "one" | "other";
type Leaves<T, P extends string = ""> = {
  [K in keyof T & string]: T[K] extends string
    ? `${P}${K extends `${infer Base}_${PluralSuffix}` ? Base : K}`
    : Leaves<T[K], `${P}${K}.`>;
}[keyof T & string];

/** A message's key: "invitation.invalid", "mapping.duplicate" (for the plural pair `duplicate_one`/`_other`). */
export type ServerMessageKey = Leaves<typeof SERVER_MESSAGES>;
/** A message's parameters: strings and numbers only (`count` picks a plural form). */
export type ServerMessageParams = Readonly<Record<string, string | number>>;

const englishPlural = new Intl.PluralRules("en");

function lookup(path: string): unknown {
  let node: unknown = SERVER_MESSAGES;
  for (const part of path.split(".")) node = typeof node === "object" && node !== null ? (node as Record<string, unknown>)[part] : undefined;
  return node;
}

/** The English template of `key` (its plural form for `count`), or undefined for an unknown key. */
export function serverMessageTemplate(key: string, count?: number): string | undefined {
  const plain = lookup(key);
  if (typeof plain === "string") return plain;
  if (count === undefined) return undefined;
  const form = lookup(`${key}_${englishPlural.select(count)}`) ?? lookup(`${key}_other`);
  return typeof form === "string" ? form : undefined;
}

/**
 * Whether `key` is a ServerMessageKey of this catalog: a message, or a plural pair by its base
 * ("mapping.duplicate"; its forms "mapping.duplicate_one"/"_other" are not keys).
 */
export function isServerMessageKey(key: string): key is ServerMessageKey {
  if (/_(one|other)$/.test(key)) return false;
  return typeof lookup(key) === "string" || typeof lookup(`${key}_other`) === "string";
}

/** The English text of a message: its template with every `{{name}}` replaced by `params.name`. */
export function serverMessage(key: ServerMessageKey, params: ServerMessageParams = {}): string {
  const count = typeof params.count === "number" ? params.count : undefined;
  const template = serverMessageTemplate(key, count);
  if (template === undefined) throw new Error(`Unknown server message ${key}.`);
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

function leaves(node: unknown, prefix: string): [string, string][] {
  if (typeof node === "string") return [[prefix, node]];
  if (typeof node !== "object" || node === null) return [];
  return Object.entries(node).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k));
}
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * The key and parameters of an English sentence of the catalog's `group` (a stored outcome, written
 * before it had a key), or null when it is none of them. Parameters are read back as strings.
 */
export function serverMessageMatch(text: string, group: keyof typeof SERVER_MESSAGES): { key: ServerMessageKey; params: Record<string, string> } | null {
  for (const [path, template] of leaves(SERVER_MESSAGES[group], group)) {
    const names: string[] = [];
    const pattern = escapeRegExp(template).replace(/\\\{\\\{\s*(\w+)\s*\\\}\\\}/g, (_whole, name: string) => {
      names.push(name);
      return "(.+)";
    });
    const m = new RegExp(`^${pattern}$`, "s").exec(text);
    if (!m) continue;
    const params = Object.fromEntries(names.map((name, i) => [name, m[i + 1]!]));
    const key = path.replace(/_(one|other)$/, "") as ServerMessageKey;
    return { key, params };
  }
  return null;
}
