// `mai`: the one-command stack (start, demo) and the operators' commands, on the embedded data
// directory or DATABASE_URL, with this process's streams and environment (program.ts). Errors
// meant for the operator print as one line, exit code 1.
import { processIo } from "./io";
import { runCli } from "./program";

const code = await runCli(process.argv.slice(2), processIo());
// A command that finished leaves the process to end by itself (`mai start` keeps serving).
if (code !== 0) process.exit(code);
