// The READMEs' CLI blocks, pasted in order: every command works. The root README's block runs as
// after a fresh `npm start` (its provider administrator admin@mai.local exists), the CLI README's
// "first session" on an empty data directory; both against the OpenRouter simulator, pointed at
// as the READMEs say (MAI_OPENROUTER_BASE_URL), with its fake management key on stdin.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { FIXTURE_MANAGEMENT_KEY, startSimulator, type Simulator } from "@mai/openrouter/simulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../src/program";
import { startStack } from "../src/stack/services";
import { freePort } from "./stack-client";

const read = (path: string) => readFileSync(fileURLToPath(new URL(path, import.meta.url)), "utf8");

/** The first ```sh block after `heading`, as one argv per command (continuations joined, comments dropped). */
function cliBlock(markdown: string, heading: string): string[][] {
  const from = markdown.indexOf(heading);
  if (from === -1) throw new Error(`no "${heading}" in the README`);
  const block = /```sh\n([\s\S]*?)```/.exec(markdown.slice(from))![1]!;
  const commands: string[][] = [];
  for (const line of block.replace(/\\\n\s*/g, " ").split("\n")) {
    const words: string[] = [];
    // Shell words: "double quoted" or bare; a # outside quotes starts a comment.
    for (const m of line.matchAll(/"([^"]*)"|(#.*)|(\S+)/g)) {
      if (m[2] !== undefined) break;
      words.push(m[1] ?? m[3]!);
    }
    if (words.length === 0) continue;
    expect(words.slice(0, 2), line).toEqual(["npx", "mai"]);
    commands.push(words.slice(2));
  }
  return commands;
}

async function mai(env: Record<string, string>, args: string[], input = "") {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    stdin: Readable.from(input ? [Buffer.from(input)] : []),
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    env,
  });
  return { code, stdout, stderr };
}

describe("the READMEs' CLI blocks, pasted in order", () => {
  let sim: Simulator;
  const dirs: string[] = [];
  const fresh = () => {
    const dir = mkdtempSync(join(tmpdir(), "mai-readme-cli-"));
    dirs.push(dir);
    return dir;
  };
  const base = (dataDir: string): Record<string, string> => {
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(process.env)) {
      if (value !== undefined && !name.startsWith("MAI_") && name !== "DATABASE_URL" && name !== "LOG_LEVEL") env[name] = value;
    }
    return { ...env, MAI_DATA_DIR: dataDir, MAI_OPENROUTER_BASE_URL: sim.url, MAI_RECONCILE_INTERVAL_MS: "0" };
  };

  /** Each command in turn; `--out <file>` goes to the data directory. Returns what each printed. */
  async function runBlock(env: Record<string, string>, commands: string[][]): Promise<string[]> {
    const outputs: string[] = [];
    for (const args of commands) {
      const argv = args.map((a, i) => (args[i - 1] === "--out" ? join(env.MAI_DATA_DIR!, a) : a));
      // `setup provisioning-key` without --key reads the key from stdin: the simulator's fake one.
      const input = argv[0] === "setup" && argv[1] === "provisioning-key" ? `${FIXTURE_MANAGEMENT_KEY}\n` : "";
      const run = await mai(env, argv, input);
      expect(run.code, `mai ${args.join(" ")}\n${run.stderr}`).toBe(0);
      outputs.push(run.stdout);
    }
    return outputs;
  }

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, generationDelayMs: 0 });
  });
  afterAll(async () => {
    await sim.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("root README: users are created before `mapping get` / `context get` ask about them", async () => {
    const commands = cliBlock(read("../../../README.md"), "## The CLI");
    const order = (verb: string) => commands.findIndex((c) => c.join(" ").startsWith(verb) && c.includes("ola@kowalski.pl"));
    expect(order("users create")).toBeGreaterThanOrEqual(0);
    expect(order("users create")).toBeLessThan(order("mapping get"));
    expect(order("users create")).toBeLessThan(order("context get"));
    expect(order("users create")).toBeLessThan(order("tokens create"));

    // As after a fresh `npm start`: the stack made the database and admin@mai.local, then stopped.
    const env = base(fresh());
    const stack = await startStack({ ...env, MAI_API_PORT: String(await freePort()), MAI_PROXY_PORT: String(await freePort()), MAI_ADMIN_DIST: "" });
    await stack.close();
    const outputs = await runBlock(env, commands);
    expect(outputs.join("\n")).toContain("mai_client_");
  });

  it("CLI README: the first session on an empty data directory", async () => {
    const commands = cliBlock(read("../README.md"), "A first session on a fresh machine");
    expect(commands.length).toBeGreaterThan(5);
    await runBlock(base(fresh()), commands);
  });
});
