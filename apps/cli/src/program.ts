// The `mai` program: the one-command stack (start, demo) and the operators' commands. Built afresh
// for every run (commander keeps parsed values on its objects) and run either as the process's
// command (main.ts) or in-process by the tests, with their own streams and environment.
import { Command, CommanderError } from "commander";
import { registerOperatorCommands } from "./commands/index";
import { cliIo, withIo, type CliIo } from "./io";
import { CliError } from "./lock";
import { registerStackCommands } from "./stack/index";

function createProgram(): Command {
  const program = new Command()
    .name("mai")
    .description("mAI Gateway: run the stack, or operate it (organisations, keys, users, tokens, usage).")
    // Set before the commands are added, so every subcommand inherits them: commander throws
    // instead of exiting, and writes its help and its errors to the run's streams.
    .exitOverride()
    .configureOutput({
      writeOut: (text) => void cliIo().stdout.write(text),
      writeErr: (text) => void cliIo().stderr.write(text),
    });
  registerStackCommands(program);
  registerOperatorCommands(program);
  return program;
}

/**
 * Run `mai <args>` and return its exit code. Errors meant for the operator print as one line
 * (`mai: …`), exit code 1; commander's own (help, a usage error) carry theirs. Anything else is a
 * bug and is thrown.
 */
export function runCli(args: readonly string[], io: CliIo): Promise<number> {
  return withIo(io, async () => {
    try {
      await createProgram().parseAsync(args, { from: "user" });
      return 0;
    } catch (error) {
      if (error instanceof CommanderError) return error.exitCode;
      if (error instanceof CliError) {
        io.stderr.write(`mai: ${error.message}\n`);
        return 1;
      }
      throw error;
    }
  });
}
