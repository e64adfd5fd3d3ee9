import type { Command } from "commander";
import { registerClients } from "./clients";
import { registerContext } from "./context";
import { registerMapping } from "./mapping";
import { registerOrgs } from "./orgs";
import { registerSetup } from "./setup";
import { registerTokens } from "./tokens";
import { registerUsage } from "./usage";
import { registerUsers } from "./users";

/** The operators' commands (setup, clients, orgs, mapping, context, users, tokens, usage). */
export function registerOperatorCommands(program: Command): void {
  registerSetup(program);
  registerClients(program);
  registerOrgs(program);
  registerMapping(program);
  registerContext(program);
  registerUsers(program);
  registerTokens(program);
  registerUsage(program);
}
