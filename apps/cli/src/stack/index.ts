import type { Command } from "commander";

/** `mai start` and `mai demo`. */
export function registerStackCommands(_program: Command): void {}
