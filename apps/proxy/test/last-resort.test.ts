// The entry point's last resort (src/last-resort.ts), in a process of its own: no other test may
// rely on it (vitest fails a run on any unhandled error, and that must stay so), and this one must
// not install it in the test runner.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const tsxCli = createRequire(import.meta.url).resolve("tsx/cli");
const lastResort = fileURLToPath(new URL("../src/last-resort.ts", import.meta.url));

describe("last-resort handlers", () => {
  it("log an uncaught exception and an unhandled rejection, and the process keeps running", async () => {
    const script = `
      import { pino } from "pino";
      import { installLastResortHandlers } from ${JSON.stringify(lastResort)};
      installLastResortHandlers(pino());
      setTimeout(() => { throw new TypeError("thrown outside any handler"); }, 0);
      void Promise.reject(new Error("rejected with nobody listening"));
      setTimeout(() => { console.log("still alive"); process.exit(0); }, 200);
    `;
    const child = spawn(process.execPath, [tsxCli, "--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(out).toContain("still alive");
    expect(out).toMatch(/uncaught exception.*still serving/);
    expect(out).toContain("thrown outside any handler");
    expect(out).toMatch(/unhandled rejection.*still serving/);
    expect(code).toBe(0);
  });
});
