import type { Command } from "commander";

/** The operators' commands (setup, clients, orgs, mapping, context, users, tokens, usage). */
export function registerOperatorCommands(_program: Command): void {}
