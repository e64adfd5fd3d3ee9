#!/usr/bin/env node
// The `mai` command runs the CLI's bundle, dist/main.js (`npm run build -w @mai/cli`; plain node, no
// tsx). In a checkout the bundle is built first when it is missing or its sources changed since
// (@mai/bundle compares content hashes, ~10 ms), so `npm start`, `npm run demo` and `npx mai` work on
// a fresh clone and never run stale code. Build messages go to stderr: stdout is the command's.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const app = fileURLToPath(new URL("..", import.meta.url));
const bundle = new URL("../dist/main.js", import.meta.url);

/** @type {typeof import("@mai/bundle") | undefined} */
let builder;
try {
  builder = await import("@mai/bundle");
} catch {
  // Installed without devDependencies: run the bundle that ships, never a build.
}
if (builder) {
  try {
    await builder.ensureBundle(app, (line) => process.stderr.write(`${line}\n`));
  } catch (error) {
    process.stderr.write(`mai: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
} else if (!existsSync(bundle)) {
  process.stderr.write(
    "mai: dist/main.js is missing and @mai/bundle is not installed: run `npm install`, then `npm run build -w @mai/cli`.\n",
  );
  process.exit(1);
}
// The servers `mai start` and `mai demo` run log stack traces that name the TypeScript files and
// lines (dist/main.js.map). Not for the quick commands: Node would then read the source map of every
// module it loads, a tenth of the time `mai --help` takes.
if (["start", "demo"].includes(process.argv[2] ?? "")) process.setSourceMapsEnabled(true);
await import(bundle.href);
