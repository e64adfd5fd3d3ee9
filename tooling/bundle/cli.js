#!/usr/bin/env node
// `mai-bundle` in an app's folder: bundle src/main.ts into dist/main.js (the app's `build` script).
// `mai-bundle --if-stale`: only when the bundle is missing or older than its sources (`prestart`).
import { bundle, ensureBundle, OUTPUT } from "./index.js";

const say = (line) => process.stderr.write(`${line}\n`);
try {
  if (process.argv.includes("--if-stale")) await ensureBundle(process.cwd(), say);
  else {
    const { bytes, modules, ms } = await bundle(process.cwd());
    say(`${OUTPUT}: ${modules} modules, ${(bytes / 1024).toFixed(0)} KiB, ${ms} ms`);
  }
} catch (error) {
  say(`mai-bundle: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
