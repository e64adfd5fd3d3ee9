// What runs in production is built (conventions.md §12): each app (api, proxy, cli) is bundled by
// rolldown from its `src/main.ts` into one ES module, `dist/main.js` (and its source map), which
// plain `node` runs — no tsx, no esbuild, no TypeScript at run time.
//
// - Worker threads get bundles of their own: every `src/<name>.worker.ts` beside `src/main.ts` is
//   bundled the same way into `dist/<name>.worker.js` (one file each, so `import.meta.url` is in
//   dist/ too, and `new URL("./<name>.worker.js", import.meta.url)` from main.js finds it). The CLI's
//   `mai start` runs its proxy in one (apps/cli/src/proxy.worker.ts).
// - Our workspaces (`@mai/*`) are inlined; every npm package stays external and is loaded from
//   node_modules as installed (`npm ci --omit=dev -w <app>` in the images). So the database
//   drivers (postgres, @electric-sql/pglite, which finds its WebAssembly beside its own module),
//   pino's worker-thread transports and Vite (imported by `mai start` only to build the dashboard)
//   work exactly as they do unbundled, and nothing from npm is copied into our output.
// - One file, no chunks: `import.meta.url` in the bundle is always `<app>/dist/main.js`, one folder
//   below the app, like `<app>/src/<file>.ts` in the source. Paths written relative to a module
//   directly in `src/` therefore hold in both (the API's dashboard folder); the migrations are
//   passed explicitly by each entry point (apps/*/src/paths.ts).
// - Freshness is by content: `dist/main.inputs.json` lists the SHA-256 of every source file that
//   went into the bundle and of this builder, taken before the build reads them, so a file edited
//   during a build is seen as changed next time. `isStale` is what `mai` (bin/mai.js) and
//   `npm start -w <app>` ask before running the bundle; it reads a few hundred small files (~10 ms).
// - Writes are atomic (a temporary file renamed into place): several processes that find the
//   bundle stale at once (the CLI tests start many) each build the same bytes, and a reader never
//   sees half a file.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { stripVTControlCharacters } from "node:util";

const ENTRY = "src/main.ts";
export const OUTPUT = "dist/main.js";
const WORKER_ENTRY = /^[a-z0-9-]+\.worker\.ts$/;
const INPUTS = "dist/main.inputs.json";
/** The oldest Node the bundles must run on: CI's (.nvmrc). The images run a newer LTS. */
const TARGET = "node20";

const SELF = fileURLToPath(import.meta.url);

/** @param {string} file */
const sha256 = (file) => createHash("sha256").update(readFileSync(file)).digest("hex");

/** The builder's identity: this file and the rolldown it drives (read from its manifest: cheap). */
function toolVersion() {
  const require = createRequire(import.meta.url);
  const { version } = /** @type {{ version: string }} */ (require("rolldown/package.json"));
  return `rolldown ${version}; ${sha256(SELF)}`;
}

/**
 * Whether an import stays out of the bundle: every bare specifier except our workspaces. Relative
 * and absolute paths are our own files; `\0` ids are rolldown's own helpers.
 * @param {string} id
 */
export function isExternal(id) {
  if (id.startsWith(".") || isAbsolute(id) || id.startsWith("\0")) return false;
  return !id.startsWith("@mai/");
}

/**
 * Every .ts file under the `src` of every workspace, with its hash, taken before a build reads them.
 * @param {string} appDir
 */
function snapshotSources(appDir) {
  const root = repositoryRoot(appDir);
  /** @type {Map<string, string>} */
  const hashes = new Map();
  /** @param {string} dir */
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|tsx|mts|js|mjs|json)$/.test(entry.name)) hashes.set(path, sha256(path));
    }
  };
  for (const group of ["apps", "packages"]) {
    if (!existsSync(join(root, group))) continue;
    for (const name of readdirSync(join(root, group))) {
      const src = join(root, group, name, "src");
      if (existsSync(src)) walk(src);
    }
  }
  return hashes;
}

/** The folder holding the root package.json with `workspaces`, above `appDir`. @param {string} appDir */
function repositoryRoot(appDir) {
  let dir = resolve(appDir);
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && "workspaces" in JSON.parse(readFileSync(manifest, "utf8"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no workspace root above ${appDir}`);
    dir = parent;
  }
}

/**
 * What the app bundles, each into a file of its own: `src/main.ts` → `dist/main.js`, and every
 * worker thread's entry `src/<name>.worker.ts` → `dist/<name>.worker.js`.
 * @param {string} dir the app's folder
 * @returns {{ entry: string; output: string }[]}
 */
function entriesOf(dir) {
  const src = join(dir, "src");
  const workers = existsSync(src) ? readdirSync(src).filter((name) => WORKER_ENTRY.test(name)).sort() : [];
  return [
    { entry: ENTRY, output: OUTPUT },
    ...workers.map((name) => ({ entry: `src/${name}`, output: `dist/${name.replace(/\.ts$/, ".js")}` })),
  ];
}

/** @param {string} file @param {string | Uint8Array} content */
function writeAtomically(file, content) {
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(temporary, content);
  renameSync(temporary, file);
}

/**
 * Bundles `<appDir>/src/main.ts` into `<appDir>/dist/main.js`, and each `src/<name>.worker.ts` into
 * `dist/<name>.worker.js`. Resolves to the bundles' size and the number of modules in them. Any
 * warning (an unresolved import, a missing export) fails the build.
 * @param {string} appDir
 * @returns {Promise<{ bytes: number; modules: number; ms: number }>}
 */
export async function bundle(appDir) {
  const started = performance.now();
  const dir = resolve(appDir);
  const tool = toolVersion();
  const before = snapshotSources(dir);
  const { rolldown } = await import("rolldown");
  const name = relative(process.cwd(), dir) || ".";
  const entries = entriesOf(dir);
  /** @type {Record<string, string>} */
  const files = {};
  /** @type {{ output: string; code: string; assets: { fileName: string; source: string | Uint8Array }[] }[]} */
  const built = [];
  for (const { entry, output: outputFile } of entries) {
    /** @type {string[]} */
    const problems = [];
    let output;
    try {
      const build = await rolldown({
        input: join(dir, entry),
        cwd: dir,
        platform: "node",
        external: isExternal,
        transform: { target: TARGET },
        // Types are tsc's business (npm run typecheck); here they are only stripped, which needs no
        // tsconfig. Reading none makes the image's build (which copies no tsconfig) the same bytes.
        tsconfig: false,
        onLog(level, log) {
          if (level === "warn") problems.push(log.message);
        },
      });
      try {
        ({ output } = await build.generate({
          format: "esm",
          sourcemap: true,
          codeSplitting: false,
          file: join(dir, outputFile),
        }));
      } finally {
        await build.close();
      }
    } catch (error) {
      // rolldown's message lists every error with a code frame, coloured for a terminal.
      throw new Error(
        `bundling ${name} failed: ${stripVTControlCharacters(error instanceof Error ? error.message : String(error))}`,
      );
    }
    if (problems.length > 0)
      throw new Error(
        `bundling ${name} warned:\n${problems.map((p) => stripVTControlCharacters(p)).join("\n")}`,
      );
    const chunks = output.filter((item) => item.type === "chunk");
    if (chunks.length !== 1) throw new Error(`expected one chunk, rolldown made ${chunks.length}`);
    const [chunk] = chunks;
    for (const id of chunk.moduleIds) {
      if (!isAbsolute(id)) continue; // rolldown's runtime helpers
      const key = relative(dir, id).split(sep).join("/");
      // Hashed before the build read it; a file outside every src/ (none today) is hashed now.
      files[key] = before.get(id) ?? sha256(id);
    }
    built.push({
      output: outputFile,
      code: chunk.code, // ends with its sourceMappingURL comment; the map is an asset
      assets: output.filter((item) => item.type === "asset").map((item) => ({ fileName: item.fileName, source: item.source })),
    });
  }
  mkdirSync(join(dir, "dist"), { recursive: true });
  // Workers first, main.js last, then the record: a process that sees the new main.js finds its workers.
  for (const b of [...built].reverse()) {
    for (const asset of b.assets) writeAtomically(join(dir, "dist", asset.fileName), asset.source);
    writeAtomically(join(dir, b.output), b.code);
  }
  const outputs = entries.map((e) => e.output);
  writeAtomically(join(dir, INPUTS), `${JSON.stringify({ tool, outputs, files }, null, 1)}\n`);
  return {
    bytes: built.reduce((sum, b) => sum + Buffer.byteLength(b.code), 0),
    modules: Object.keys(files).length,
    ms: Math.round(performance.now() - started),
  };
}

/**
 * Why `<appDir>/dist/main.js` (and its workers' bundles) must be built again, or null when they are
 * up to date: missing, built by another builder, a worker entry not bundled yet, or a source file
 * they were built from changed or is gone.
 * @param {string} appDir
 * @returns {string | null}
 */
export function isStale(appDir) {
  const dir = resolve(appDir);
  if (!existsSync(join(dir, OUTPUT)) || !existsSync(join(dir, INPUTS))) return "not built yet";
  /** @type {{ tool?: string; outputs?: string[]; files?: Record<string, string> }} */
  let recorded;
  try {
    recorded = JSON.parse(readFileSync(join(dir, INPUTS), "utf8"));
  } catch {
    return "its record of inputs is unreadable";
  }
  if (recorded.tool !== toolVersion()) return "the bundler changed";
  for (const { entry, output } of entriesOf(dir)) {
    if (output !== OUTPUT && !(recorded.outputs ?? []).includes(output)) return `${entry} is new`;
    if (!existsSync(join(dir, output))) return `${output} is missing`;
  }
  for (const [file, hash] of Object.entries(recorded.files ?? {})) {
    const path = join(dir, file);
    if (!existsSync(path)) return `${file} is gone`;
    if (sha256(path) !== hash) return `${file} changed`;
  }
  return null;
}

/**
 * Builds the bundle if it is stale; `say` hears why and how long it took.
 * @param {string} appDir
 * @param {(line: string) => void} [say]
 */
export async function ensureBundle(appDir, say = () => {}) {
  const reason = isStale(appDir);
  if (reason === null) return;
  say(`Building ${relative(process.cwd(), resolve(appDir, OUTPUT)) || OUTPUT} (${reason})…`);
  const { ms } = await bundle(appDir);
  say(`Built in ${(ms / 1000).toFixed(1)} s.`);
}
