// `mai`: the one-command stack (start, demo) and the operators' commands, on the embedded data
// directory or DATABASE_URL. Errors meant for the operator print as one line, exit code 1.
import { Command, CommanderError } from "commander";
import { registerOperatorCommands } from "./commands/index";
import { CliError } from "./lock";
import { registerStackCommands } from "./stack/index";

const program = new Command()
  .name("mai")
  .description("mAI Gateway: run the stack, or operate it (organisations, keys, users, tokens, usage).")
  .exitOverride();

registerStackCommands(program);
registerOperatorCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  if (error instanceof CliError) {
    process.stderr.write(`mai: ${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
