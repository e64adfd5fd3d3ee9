// Every namespace of the dashboard's messages, in both languages. A namespace is one area of the
// dashboard (messages/<namespace>.ts holds its English and Polish side by side).
import * as alerts from "./messages/alerts";
import * as audit from "./messages/audit";
import * as auth from "./messages/auth";
import * as common from "./messages/common";
import * as connections from "./messages/connections";
import * as mapping from "./messages/mapping";
import * as members from "./messages/members";
import * as organizations from "./messages/organizations";
import * as overview from "./messages/overview";
import * as server from "./messages/server";
import * as settings from "./messages/settings";
import * as tokens from "./messages/tokens";
import * as usage from "./messages/usage";

const namespaces = { common, auth, overview, usage, organizations, members, tokens, settings, alerts, connections, mapping, audit, server };
type Namespace = keyof typeof namespaces;

function inLanguage<L extends "en" | "pl">(language: L): { [N in Namespace]: (typeof namespaces)[N][L] } {
  return Object.fromEntries(Object.entries(namespaces).map(([name, ns]) => [name, ns[language]])) as {
    [N in Namespace]: (typeof namespaces)[N][L];
  };
}

export const resources = { en: inLanguage("en"), pl: inLanguage("pl") };
export const NAMESPACES = Object.keys(namespaces) as Namespace[];
