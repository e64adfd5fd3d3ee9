import type { Command } from "commander";
import { registerDemo } from "./demo";
import { registerStart } from "./start";

/** `mai start` and `mai demo`. */
export function registerStackCommands(program: Command): void {
  registerStart(program);
  registerDemo(program);
}
