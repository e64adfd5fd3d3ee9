// The deployment files (docker/*.Dockerfile, docker/compose*.yaml, docker/.env.example,
// .dockerignore), checked on a machine without a Docker engine:
//
// - every path a Dockerfile copies exists and is not excluded from the build context, and the image
//   mirrors the repository's layout under its WORKDIR (the bundles find the migrations and the
//   dashboard through relative paths: apps/api/src/paths.ts);
// - every npm command names a real workspace and script; `npm ci` runs after the lock file and
//   every workspace manifest are in; a build has the source of everything it bundles; the runtime
//   image holds the production dependencies only (no tsx, esbuild or bundler), the app's bundle and
//   the files it reaches, and no TypeScript;
// - the compose files (parsed with the `yaml` package) set only variables the apps (or the postgres
//   image) declare, interpolate only variables .env.example lists, never let a variable silently
//   become "", and .env.example with its placeholders filled in is a configuration the API accepts
//   (and with them left in, one it refuses);
// - the images' build and CMD and HEALTHCHECK, run as written — the bundles built by the
//   Dockerfiles' `npm run build`, then started from a folder holding only what the runtime image
//   holds (its node_modules: the production dependency tree) with the compose configuration —
//   start the API and the proxy and report them healthy.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, posix } from "node:path";
import { envSchema, loadEnv } from "@mai/api";
import { parseMasterKey } from "@mai/db";
import { loadProxyEnv, proxyEnvSchema } from "@mai/proxy";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  fillPlaceholders,
  interpolate,
  INTERPOLATION,
  PLACEHOLDER,
  read,
  readCompose,
  readEnvExample,
  ROOT,
} from "./compose-files";

const exists = (rel: string) => existsSync(join(ROOT, rel));
const isDir = (rel: string) => exists(rel) && statSync(join(ROOT, rel)).isDirectory();
/** `a` is `b` or inside it (repository-relative POSIX paths). */
const within = (a: string, b: string) => a === b || a.startsWith(`${b}/`);

// --- the workspaces ---------------------------------------------------------------------------

interface Manifest {
  name: string;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  workspaces?: string[];
  bin?: Record<string, string>;
}
const manifest = (dir: string) => JSON.parse(read(dir ? `${dir}/package.json` : "package.json")) as Manifest;

/** name → directory, from the root's workspace entries (`group/*` or a folder). */
const WORKSPACES = new Map<string, string>();
for (const entry of manifest("").workspaces ?? []) {
  const dirs = entry.endsWith("/*")
    ? readdirSync(join(ROOT, entry.slice(0, -2))).map((name) => `${entry.slice(0, -2)}/${name}`)
    : [entry];
  for (const dir of dirs) if (exists(`${dir}/package.json`)) WORKSPACES.set(manifest(dir).name, dir);
}
const workspaceDir = (name: string) => {
  const dir = WORKSPACES.get(name);
  if (!dir) throw new Error(`${name} is not a workspace`);
  return dir;
};

/** The workspace folders `dir`'s production code imports (itself included), transitively. */
function workspaceClosure(dir: string): string[] {
  const dirs = new Set<string>([dir]);
  const queue = [dir];
  while (queue.length > 0) {
    const current = queue.shift() as string;
    for (const dep of Object.keys(manifest(current).dependencies ?? {})) {
      if (!WORKSPACES.has(dep) || dirs.has(workspaceDir(dep))) continue;
      dirs.add(workspaceDir(dep));
      queue.push(workspaceDir(dep));
    }
  }
  return [...dirs];
}

/** The bundler's files, which a `mai-bundle` build runs (and npm links its command to). */
const BUNDLER = (() => {
  const dir = workspaceDir("@mai/bundle");
  const bin = Object.values(manifest(dir).bin ?? {});
  return [...new Set(["index.js", ...bin.map((b) => posix.normalize(b))])].map((f) => `${dir}/${f}`);
})();
const bundles = (dir: string) => manifest(dir).scripts?.build === "mai-bundle";

/**
 * What `npm run build` in `dir` needs before it runs (repository paths) and what it makes. A bundle
 * (`mai-bundle`) needs the src of every workspace it inlines and the bundler, and makes dist/; a
 * Vite build needs its tsconfig (and the one it extends), index.html and config, and makes the
 * config's outDir.
 */
function buildOf(dir: string): { needs: string[]; makes: string } {
  const sources = workspaceClosure(dir).map((d) => `${d}/src`);
  if (bundles(dir)) return { needs: [...sources, ...BUNDLER], makes: `${dir}/dist` };
  const needs = [
    ...sources,
    `${dir}/tsconfig.json`,
    ...["index.html", "vite.config.ts"].map((f) => `${dir}/${f}`).filter(exists),
  ];
  const tsconfig = JSON.parse(read(`${dir}/tsconfig.json`)) as { extends?: string };
  if (tsconfig.extends) {
    const [, scope, pkg, file] = /^(@[^/]+)\/([^/]+)\/(.+)$/.exec(tsconfig.extends) ?? [];
    needs.push(`${workspaceDir(`${scope}/${pkg}`)}/${file}`);
  }
  const outDir = /outDir:\s*"([^"]+)"/.exec(
    exists(`${dir}/vite.config.ts`) ? read(`${dir}/vite.config.ts`) : "",
  )?.[1];
  return { needs, makes: `${dir}/${outDir ?? "dist"}` };
}

/**
 * The production dependency tree of a workspace as npm sees it — what the Dockerfiles keep after
 * `npm ci --omit=dev` (the same `npm ls`) — as repository paths under node_modules.
 */
function productionTree(workspace: string): string[] {
  const ls = spawnSync("npm", ["ls", "--omit=dev", "--all", "--parseable", "-w", workspace], {
    cwd: ROOT,
    encoding: "utf8",
  });
  expect(ls.status, ls.stderr).toBe(0);
  return ls.stdout
    .split("\n")
    .map((line) => posix.relative(ROOT.replace(/\/$/, ""), line.trim()))
    .filter((rel) => rel.startsWith("node_modules/"));
}
const packageName = (rel: string) => rel.replace(/^.*node_modules\//, "");

/** The packages a bundle imports (bare specifiers, Node's own modules left out). */
function bundleImports(code: string): string[] {
  const specifiers = [
    ...code.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s*"([^"]+)"/gm),
    ...code.matchAll(/^\s*import\s*"([^"]+)"/gm),
    ...code.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g),
  ].map((m) => m[1] as string);
  return [
    ...new Set(
      specifiers
        .filter((s) => !s.startsWith(".") && !s.startsWith("/") && !s.startsWith("node:"))
        .map((s) => (s.startsWith("@") ? s.split("/").slice(0, 2).join("/") : (s.split("/")[0] as string))),
    ),
  ];
}

// --- .dockerignore ----------------------------------------------------------------------------

const GLOB: Record<string, string> = { "**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]" };
const IGNORE_RULES = read(".dockerignore")
  .split("\n")
  .map((line) => line.trim())
  .filter((line) => line !== "" && !line.startsWith("#"))
  .map((line) => {
    const negated = line.startsWith("!");
    const pattern = posix.normalize((negated ? line.slice(1) : line).replace(/^\/+/, ""));
    const source = pattern
      .split(/(\*\*\/|\*\*|\*|\?)/)
      .map((part) => GLOB[part] ?? part.replace(/[.+^${}()|[\]\\]/g, "\\$&"))
      .join("");
    return { negated, re: new RegExp(`^${source}$`) };
  });

/** Docker's rule: the last matching pattern wins, and a pattern matching a folder covers its contents. */
function ignored(path: string): boolean {
  const parts = path.split("/");
  const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join("/"));
  let excluded = false;
  for (const rule of IGNORE_RULES) if (prefixes.some((p) => rule.re.test(p))) excluded = !rule.negated;
  return excluded;
}

// --- Dockerfiles --------------------------------------------------------------------------------

interface Copy {
  from?: string;
  sources: string[];
  dest: string;
  destIsDir: boolean;
  line: number;
}
interface Run {
  cmd: string;
  line: number;
  /** Copies of the stage (inherited included) made before this RUN. */
  copiesBefore: number;
}
interface Stage {
  name?: string;
  base: string;
  workdir: string;
  env: Record<string, string>;
  copies: Copy[];
  runs: Run[];
  user?: string;
  expose: number[];
  volumes: string[];
  healthcheck?: string[];
  cmd?: string[];
}

function parseDockerfile(rel: string): Stage[] {
  const stages: Stage[] = [];
  let pending = "";
  let start = 0;
  const lines = read(rel).split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trimEnd();
    if (pending === "" && (line.trim() === "" || line.trimStart().startsWith("#"))) continue;
    if (pending === "") start = i + 1;
    if (line.endsWith("\\")) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const text = pending + line;
    pending = "";
    const m = /^\s*([A-Za-z]+)\s+(.*)$/s.exec(text);
    if (!m) throw new Error(`${rel}:${start}: cannot parse "${text}"`);
    const op = (m[1] as string).toUpperCase();
    const args = (m[2] as string).trim();
    if (op === "FROM") {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!from) throw new Error(`${rel}:${start}: FROM ${args}`);
      const parent = stages.find((s) => s.name === from[1]);
      stages.push({
        name: from[2],
        base: from[1] as string,
        workdir: parent?.workdir ?? "/",
        env: { ...parent?.env },
        copies: [...(parent?.copies ?? [])],
        runs: [...(parent?.runs ?? [])],
        user: parent?.user,
        expose: [],
        volumes: [...(parent?.volumes ?? [])],
      });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`${rel}:${start}: ${op} before FROM`);
    switch (op) {
      case "WORKDIR":
        stage.workdir = posix.resolve(stage.workdir, args);
        break;
      case "ENV":
        for (const token of args.split(/\s+/)) {
          const kv = /^([A-Za-z_][A-Za-z0-9_]*)=(\S*)$/.exec(token);
          if (!kv)
            throw new Error(`${rel}:${start}: ENV expects KEY=value pairs without spaces, got "${token}"`);
          stage.env[kv[1] as string] = kv[2] as string;
        }
        break;
      case "COPY":
      case "ADD": {
        if (args.startsWith("["))
          throw new Error(`${rel}:${start}: the JSON form of ${op} is not parsed here`);
        const words = args.split(/\s+/);
        const paths = words.filter((w) => !w.startsWith("--"));
        const dest = paths.pop() as string;
        stage.copies.push({
          from: words.find((w) => w.startsWith("--from="))?.slice("--from=".length),
          sources: paths,
          dest: posix.resolve(stage.workdir, dest),
          destIsDir: dest.endsWith("/") || dest === "." || paths.length > 1,
          line: start,
        });
        break;
      }
      case "RUN":
        stage.runs.push({ cmd: args, line: start, copiesBefore: stage.copies.length });
        break;
      case "USER":
        stage.user = args;
        break;
      case "EXPOSE":
        stage.expose.push(...args.split(/\s+/).map((p) => Number(p.replace(/\/tcp$/, ""))));
        break;
      case "VOLUME":
        stage.volumes.push(...(args.startsWith("[") ? (JSON.parse(args) as string[]) : args.split(/\s+/)));
        break;
      case "HEALTHCHECK": {
        const cmd = /\bCMD\s+(\[.*\])\s*$/.exec(args);
        if (!cmd) throw new Error(`${rel}:${start}: HEALTHCHECK must use the exec form (CMD [...])`);
        stage.healthcheck = JSON.parse(cmd[1] as string) as string[];
        break;
      }
      case "CMD":
        if (!args.startsWith("["))
          throw new Error(`${rel}:${start}: CMD must use the exec form (no shell as PID 1)`);
        stage.cmd = JSON.parse(args) as string[];
        break;
      case "LABEL":
      case "ARG":
      case "STOPSIGNAL":
        break;
      default:
        throw new Error(`${rel}:${start}: ${op} is not understood by this test; teach it`);
    }
  }
  return stages;
}

/** `npm …` commands of a RUN line (split on &&), as words. */
const npmCommands = (run: Run) =>
  run.cmd
    .split("&&")
    .map((part) => part.trim().replace(/\s*>\s*\S+$/, ""))
    .filter((part) => part.startsWith("npm "))
    .map((part) => part.split(/\s+/));

/** The workspace a command names with -w / --workspace (the first, if several). */
function workspaceFlags(words: string[]): string[] {
  const names: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    if (w === "-w" || w === "--workspace") names.push(words[i + 1] as string);
    else if (w.startsWith("--workspace=")) names.push(w.slice("--workspace=".length));
  }
  return names;
}

const APPS = [
  {
    dockerfile: "docker/api.Dockerfile",
    workspace: "@mai/api",
    health: "/readyz",
    port: "MAI_API_PORT",
    host: "MAI_API_HOST",
  },
  {
    dockerfile: "docker/proxy.Dockerfile",
    workspace: "@mai/proxy",
    health: "/healthz",
    port: "MAI_PROXY_PORT",
    host: "MAI_PROXY_HOST",
  },
] as const;

/** Tools that must never reach a runtime image. */
const BUILD_TOOLS = ["tsx", "esbuild", "rolldown", "vite", "typescript-eslint", "eslint", "vitest", "turbo"];

/** The folder the image keeps the repository in: where the lock file is copied to. */
function appRoot(stages: Stage[]): string {
  for (const stage of stages) {
    for (const copy of stage.copies) {
      if (!copy.from && copy.sources.includes("package-lock.json"))
        return copy.destIsDir ? copy.dest : posix.dirname(copy.dest);
    }
  }
  throw new Error("no stage copies package-lock.json");
}

/** What `npm run build -w <workspace>` lines of a stage make (repository paths). */
const builtBy = (stage: Stage) =>
  stage.runs.flatMap((run) =>
    npmCommands(run)
      .filter((w) => w[1] === "run" && w[2] === "build")
      .flatMap((w) => workspaceFlags(w).map((ws) => buildOf(workspaceDir(ws)).makes)),
  );

/**
 * Repository paths a stage holds: its context copies, what its builds make, and what it copies from
 * other stages (a stage's whole app root brings what that stage holds; a path under it, that path).
 */
function held(stages: Stage[], stage: Stage, root: string, copies = stage.copies): string[] {
  return copies.flatMap((c) => {
    if (!c.from) return c.sources;
    const source = stages.find((s) => s.name === c.from);
    if (!source) throw new Error(`--from=${c.from} names no stage`);
    return c.sources.flatMap((src) =>
      posix.relative(root, src) === ""
        ? [...held(stages, source, root), ...builtBy(source)]
        : [posix.relative(root, src)],
    );
  });
}
const holds = (paths: string[], rel: string) => paths.some((p) => within(rel, p));

describe.each(APPS)("$dockerfile", ({ dockerfile, workspace, health, port, host }) => {
  const stages = parseDockerfile(dockerfile);
  const root = appRoot(stages);
  const runtime = stages.at(-1) as Stage;
  const dir = workspaceDir(workspace);
  const pkg = manifest(dir);

  it("copies only paths that exist, are in the build context, and keep the repository's layout", () => {
    for (const stage of stages) {
      for (const copy of stage.copies) {
        if (copy.from) {
          const source = stages.find((s) => s.name === copy.from);
          expect(source, `line ${copy.line}: --from=${copy.from} names no earlier stage`).toBeDefined();
          expect(stages.indexOf(source as Stage)).toBeLessThan(stages.indexOf(stage));
          for (const src of copy.sources) {
            // Mirrored across stages, and something in that stage puts it there.
            expect(copy.dest, `line ${copy.line}`).toBe(src);
            const rel = posix.relative(root, src);
            const produced =
              rel === "" ||
              holds(held(stages, source as Stage, root), rel) ||
              builtBy(source as Stage).includes(rel);
            expect(produced, `line ${copy.line}: nothing in stage ${copy.from} makes ${src}`).toBe(true);
          }
          continue;
        }
        for (const src of copy.sources) {
          expect(exists(src), `line ${copy.line}: ${src} does not exist`).toBe(true);
          expect(ignored(src), `line ${copy.line}: ${src} is excluded by .dockerignore`).toBe(false);
          const landsAt =
            isDir(src) || !copy.destIsDir ? copy.dest : posix.join(copy.dest, posix.basename(src));
          expect(landsAt, `line ${copy.line}: ${src} must land at ${root}/${src}`).toBe(
            posix.join(root, src),
          );
        }
      }
    }
  });

  it("runs npm only on real workspaces and scripts, after the lock file and every manifest are in, and builds from complete sources", () => {
    const manifests = [
      "package.json",
      "package-lock.json",
      ...[...WORKSPACES.values()].map((d) => `${d}/package.json`),
    ];
    let commands = 0;
    for (const stage of stages) {
      for (const run of stage.runs.slice(stages.find((s) => s.name === stage.base)?.runs.length ?? 0)) {
        for (const words of npmCommands(run)) {
          commands++;
          const named = workspaceFlags(words);
          for (const ws of named)
            expect(WORKSPACES.has(ws), `line ${run.line}: ${ws} is not a workspace`).toBe(true);
          const before = held(stages, stage, root, stage.copies.slice(0, run.copiesBefore));
          switch (words[1]) {
            case "ci":
              for (const m of manifests)
                expect(holds(before, m), `line ${run.line}: npm ci before ${m} is copied`).toBe(true);
              // npm links a workspace's command only to a file that exists: the bundler's files
              // come before an install whose workspaces build with it.
              if (!words.includes("--omit=dev") && named.some((ws) => bundles(workspaceDir(ws))))
                for (const file of BUNDLER)
                  expect(holds(before, file), `line ${run.line}: npm ci before ${file} is copied`).toBe(true);
              break;
            case "run": {
              const script = words[2] as string;
              const target = named[0] ? workspaceDir(named[0]) : "";
              expect(
                manifest(target).scripts?.[script],
                `line ${run.line}: no "${script}" script in ${target || "the root"}`,
              ).toBeDefined();
              if (script === "build")
                for (const need of buildOf(target).needs)
                  expect(
                    holds(before, need),
                    `line ${run.line}: ${need} is not copied before the build`,
                  ).toBe(true);
              break;
            }
            case "ls":
            case "cache":
              break;
            default:
              throw new Error(`line ${run.line}: npm ${words[1]} is not understood by this test; teach it`);
          }
        }
      }
    }
    expect(commands).toBeGreaterThan(0);
  });

  it(`installs only the production dependencies of ${workspace}: no tsx, esbuild or bundler`, () => {
    const installs = stages
      .flatMap((s) => s.runs.flatMap(npmCommands))
      .filter((w) => w[1] === "ci" && w.includes("--omit=dev"));
    expect(installs.map(workspaceFlags)).toEqual([[workspace]]);
    // The runtime takes node_modules from that stage, mirrored at the app root.
    const deps = runtime.copies.find((c) => c.from && c.sources.includes(root));
    expect(deps, "the runtime stage copies the installed app root").toBeDefined();
    const installing = stages.find((s) => s.name === deps?.from) as Stage;
    const installRun = installing.runs.find((run) =>
      npmCommands(run).some((w) => w[1] === "ci" && w.includes("--omit=dev")),
    );
    expect(installRun).toBeDefined();
    // npm ci -w also installs what the workspaces among the app's devDependencies need; the stage
    // keeps only the tree `npm ls --omit=dev` reports for the app, then checks it is whole.
    expect(npmCommands(installRun as Run)).toContainEqual([
      "npm",
      "ls",
      "--omit=dev",
      "--all",
      "--parseable",
      "-w",
      workspace,
    ]);
    expect((installRun as Run).cmd).toMatch(/rm -rf "\$dir"/);
    expect(npmCommands(installRun as Run).at(-2)).toEqual(["npm", "ls", "--omit=dev", "-w", workspace]);
    // What runs is built: no tool that runs TypeScript or bundles is a production dependency.
    for (const tool of BUILD_TOOLS) expect(pkg.dependencies?.[tool], tool).toBeUndefined();
    const tree = productionTree(workspace).map(packageName);
    expect(tree).toContain("zod");
    for (const tool of BUILD_TOOLS) expect(tree, tool).not.toContain(tool);
    expect(tree.filter((name) => name.startsWith("@esbuild/") || name.startsWith("@rolldown/"))).toEqual([]);
  });

  it("builds the app's bundle, and gives the runtime image the bundle and the files it reaches, no TypeScript", () => {
    expect(pkg.scripts?.build).toBe("mai-bundle");
    const build = stages.find((s) => builtBy(s).includes(`${dir}/dist`));
    expect(build, `no stage runs npm run build -w ${workspace}`).toBeDefined();
    const paths = held(stages, runtime, root);
    expect(holds(paths, `${dir}/dist/main.js`)).toBe(true);
    for (const ws of WORKSPACES.values())
      expect(holds(paths, `${ws}/src`), `${ws}/src is in the runtime image`).toBe(false);
    expect(paths.filter((p) => /\.tsx?$/.test(p) || p.endsWith("tsconfig.json"))).toEqual([]);
    if (workspace === "@mai/api") {
      // Applied at every start and served: found from the bundle through the repository's layout.
      for (const need of ["packages/db/drizzle", "apps/admin/dist"])
        expect(holds(paths, need), need).toBe(true);
      expect(readdirSync(join(ROOT, "packages/db/drizzle")).some((f) => f.endsWith(".sql"))).toBe(true);
    }
  });

  it("runs as a non-root user, listens on all interfaces on the port it exposes, checks its health with node", () => {
    expect(runtime.user).toBeDefined();
    expect(["root", "0"]).not.toContain(runtime.user);
    expect(runtime.env[host]).toBe("0.0.0.0");
    expect(runtime.expose).toEqual([Number(runtime.env[port])]);
    const healthcheck = runtime.healthcheck ?? [];
    expect(healthcheck[0]).toBe("node");
    expect(healthcheck.join(" ")).toContain(health);
    expect(healthcheck.join(" ")).toContain(`process.env.${port}`);
    expect(runtime.cmd).toBeDefined();
  });

  it("starts the bundle as its start script does (which builds it first when stale), from the workspace the WORKDIR names", () => {
    expect(posix.relative(root, runtime.workdir)).toBe(dir);
    expect(pkg.scripts?.prestart).toBe("mai-bundle --if-stale");
    const start = (pkg.scripts?.start ?? "").split(/\s+/);
    expect(start[0]).toBe("node");
    expect(start.at(-1)).toBe("dist/main.js");
    expect(runtime.cmd).toEqual(start);
    expect(runtime.base).toMatch(/^node:(2[4-9]|[3-9]\d)-/); // a current LTS (Node 20 is past its end of life)
    for (const stage of stages)
      expect(stage.base.startsWith("node:") ? stage.base : runtime.base).toBe(runtime.base);
  });

  it("declares only variables the app reads", () => {
    const declared = new Set(declaredEnv(workspace));
    for (const name of Object.keys(runtime.env))
      if (name.startsWith("MAI_") || name === "LOG_LEVEL") expect(declared.has(name), name).toBe(true);
  });
});

describe(".dockerignore", () => {
  it("keeps local state, build output, tests and secrets out of the build context", () => {
    for (const path of [
      ".git",
      "node_modules",
      "apps/api/node_modules/x",
      ".mai-data/encryption.key",
      "apps/api/.mai-data",
      "apps/admin/dist/index.html",
      "apps/api/dist/main.js",
      "apps/admin/test-results/e2e",
      "docs/screenshots/pglite-overview.png",
      "docker/.env",
      "docker/test/docker-files.test.ts",
      "apps/api/test/harness.ts",
    ]) {
      expect(ignored(path), path).toBe(true);
    }
    expect(ignored("apps/api/src/main.ts")).toBe(false);
    expect(ignored("packages/db/drizzle/meta/_journal.json")).toBe(false);
    expect(ignored("docker/package.json")).toBe(false);
  });
});

// --- compose ------------------------------------------------------------------------------------

const COMPOSE_FILES = ["docker/compose.yaml", "docker/compose.clients.yaml"] as const;
// The postgres image's own variables and libpq's (psql in a one-shot service).
const POSTGRES_ENV = [
  "POSTGRES_USER",
  "POSTGRES_PASSWORD",
  "POSTGRES_DB",
  "POSTGRES_INITDB_ARGS",
  "PGDATA",
  "PGHOST",
  "PGPORT",
  "PGUSER",
  "PGPASSWORD",
  "PGDATABASE",
];

function declaredEnv(workspace: string): string[] {
  if (workspace === "@mai/api") return Object.keys(envSchema.shape);
  if (workspace === "@mai/proxy") return Object.keys(proxyEnvSchema.shape);
  throw new Error(`no environment schema for ${workspace}`);
}

/** A compose service as this test reads it (YAML merge keys `<<: *anchor` applied). */
interface Service {
  image?: string;
  build?: { context?: string; dockerfile?: string };
  environment?: Record<string, string | number | boolean | null>;
  depends_on?: Record<string, { condition?: string }>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test?: string[] };
  command?: string | string[];
  profiles?: string[];
}
interface ParsedService extends Service {
  env: Map<string, string>;
}

function parseCompose(rel: string): {
  services: Map<string, ParsedService>;
  text: string;
  warnings: string[];
} {
  const { text, services: raw, errors, warnings } = readCompose<Service>(rel);
  expect(errors, rel).toEqual([]);
  const services = new Map<string, ParsedService>();
  for (const [name, service] of Object.entries(raw)) {
    const env = new Map<string, string>(
      Object.entries(service.environment ?? {}).map(([key, value]) => [key, String(value ?? "")]),
    );
    services.set(name, { ...service, env });
  }
  return { services, text, warnings };
}

const EXAMPLE = readEnvExample("docker/.env.example");
const FILLED = fillPlaceholders(EXAMPLE);

/** Only the secrets set: every other variable takes its default from the compose file. */
const SECRETS_ONLY: Record<string, string> = Object.fromEntries(
  Object.entries(FILLED).filter(([name]) => EXAMPLE[name] === PLACEHOLDER),
);

const appOf = (service: Service) =>
  service.image === "mai-gateway/api"
    ? "@mai/api"
    : service.image === "mai-gateway/proxy"
      ? "@mai/proxy"
      : service.image?.startsWith("postgres:")
        ? "postgres"
        : undefined;

const resolvedEnv = (service: ParsedService, vars: Record<string, string>) =>
  Object.fromEntries([...service.env].map(([name, value]) => [name, interpolate(value, vars)]));

describe.each(COMPOSE_FILES)("%s", (file) => {
  const { services, text, warnings } = parseCompose(file);

  it("is YAML without errors or warnings, in plain blocks: two-space indentation, no tabs", () => {
    expect(warnings).toEqual([]);
    expect(services.size).toBeGreaterThan(0);
    for (const [i, line] of text.split("\n").entries()) {
      expect(line.includes("\t"), `line ${i + 1}`).toBe(false);
      expect((line.length - line.trimStart().length) % 2, `line ${i + 1}`).toBe(0);
    }
  });

  it("interpolates only variables .env.example lists, each with a default or a loud error", () => {
    const used = [...text.matchAll(INTERPOLATION)];
    expect(used.length).toBeGreaterThan(0);
    for (const [whole, name, op] of used) {
      expect(Object.keys(EXAMPLE), `${name} is not in docker/.env.example`).toContain(name);
      expect([":-", ":?"], `${whole}: an unset variable would silently become ""`).toContain(op);
    }
  });

  it("sets only variables the apps or the postgres image declare", () => {
    for (const [name, service] of services) {
      const app = appOf(service);
      if (!service.image) {
        // An override of a service of compose.yaml (e.g. its profiles).
        expect(file).not.toBe("docker/compose.yaml");
        expect(parseCompose("docker/compose.yaml").services.has(name), `${name} overrides nothing`).toBe(
          true,
        );
        continue;
      }
      expect(app, `${name}: image ${service.image} is not understood by this test; teach it`).toBeDefined();
      const allowed = app === "postgres" ? POSTGRES_ENV : declaredEnv(app as string);
      for (const key of service.env.keys()) expect(allowed, `${name}: ${key}`).toContain(key);
      if (app !== "postgres") {
        expect(service.build?.dockerfile, `${name} builds its image`).toBe(
          APPS.find((a) => a.workspace === app)?.dockerfile,
        );
        expect(exists(service.build?.dockerfile as string)).toBe(true);
        expect(service.build?.context).toBe(".."); // the repository root, seen from docker/
      }
    }
  });

  it("gives the API a configuration it accepts once the secrets are filled in (with .env.example's other values, or the defaults)", () => {
    const apis = [...services.values()].filter((s) => appOf(s) === "@mai/api");
    if (file === "docker/compose.yaml") expect(apis.length).toBeGreaterThan(0);
    for (const vars of [FILLED, SECRETS_ONLY]) {
      for (const service of apis) {
        const env = resolvedEnv(service, vars);
        expect(envSchema.safeParse(env).error?.issues ?? []).toEqual([]);
        expect(parseMasterKey(env.MAI_ENCRYPTION_KEY as string)).toHaveLength(32);
        expect(new URL(env.DATABASE_URL as string).hostname).toBe("postgres");
      }
    }
  });

  it("passes the alert e-mail settings to every API: empty is off, a URL set in .env reaches it", () => {
    const apis = [...services.values()].filter((s) => appOf(s) === "@mai/api");
    for (const service of apis) {
      for (const key of ["MAI_SMTP_URL", "MAI_ALERTS_FROM"]) expect(service.env.has(key), key).toBe(true);
      expect(loadEnv(resolvedEnv(service, FILLED)).MAI_SMTP_URL).toBeUndefined();
      const smtp = "smtps://alerts:s3cret-pass-fake@smtp.example.com:465";
      const env = loadEnv(resolvedEnv(service, { ...FILLED, MAI_SMTP_URL: smtp, MAI_ALERTS_FROM: "Gateway <alerts@example.com>" }));
      expect(env.MAI_SMTP_URL).toBe(smtp);
      expect(env.MAI_ALERTS_FROM).toBe("Gateway <alerts@example.com>");
    }
  });

  it("lets the proxy read every empty default as unset", () => {
    for (const service of [...services.values()].filter((s) => appOf(s) === "@mai/proxy")) {
      const empty = [...service.env]
        .filter(([, value]) => /^\$\{[A-Z0-9_]+:-\}$/.test(value))
        .map(([key]) => key);
      const env: Record<string, unknown> = loadProxyEnv(resolvedEnv(service, SECRETS_ONLY));
      for (const key of empty) {
        const value = env[key];
        expect(
          value === undefined || (Array.isArray(value) && value.length === 0),
          `${key}: "" must be read as unset`,
        ).toBe(true);
      }
    }
  });
});

describe("docker/compose.yaml", () => {
  const { services } = parseCompose("docker/compose.yaml");
  const proxyStages = parseDockerfile("docker/proxy.Dockerfile");
  const proxyRuntime = proxyStages.at(-1) as Stage;

  it("runs PostgreSQL 16, the API after it is healthy, the proxy after the API is healthy", () => {
    expect([...services.keys()].sort()).toEqual(["api", "postgres", "proxy"]);
    const postgres = services.get("postgres") as ParsedService;
    expect(postgres.image).toBe("postgres:16");
    expect(postgres.healthcheck?.test).toContain("pg_isready");
    expect(postgres.volumes).toContain("postgres-data:/var/lib/postgresql/data");
    expect(services.get("api")?.depends_on?.postgres?.condition).toBe("service_healthy");
    expect(services.get("proxy")?.depends_on?.api?.condition).toBe("service_healthy");
    expect(services.get("api")?.ports).toContain("${MAI_API_PUBLISH:-8787}:8787");
    expect(services.get("proxy")?.ports).toContain("${MAI_PROXY_PUBLISH:-8788}:8788");
  });

  it("requires the secrets, and shares the internal token between the API and the proxy", () => {
    const api = services.get("api") as ParsedService;
    const proxy = services.get("proxy") as ParsedService;
    for (const key of ["MAI_ENCRYPTION_KEY", "MAI_INTERNAL_TOKEN", "MAI_ADMIN_PASSWORD"])
      expect(api.env.get(key)).toMatch(new RegExp(`^\\$\\{${key}:\\?`));
    expect(api.env.get("DATABASE_URL")).toContain("${POSTGRES_PASSWORD:?");
    expect(proxy.env.get("MAI_INTERNAL_TOKEN")).toBe(api.env.get("MAI_INTERNAL_TOKEN"));
    expect(proxy.env.get("MAI_API_URL")).toBe("http://api:8787");
    // The spool volume is where the image's proxy spools.
    expect(proxyRuntime.volumes).toEqual([proxyRuntime.env.MAI_PROXY_SPOOL_DIR]);
    expect(proxy.volumes).toContain(`proxy-spool:${proxyRuntime.env.MAI_PROXY_SPOOL_DIR}`);
  });

  it("refuses to start the API with .env.example's placeholders left in", () => {
    const env = resolvedEnv(services.get("api") as ParsedService, EXAMPLE);
    const refused = envSchema.safeParse(env).error?.issues.map((i) => i.path.join(".")) ?? [];
    expect(refused.sort()).toEqual(["MAI_ADMIN_PASSWORD", "MAI_INTERNAL_TOKEN"]);
    expect(() => parseMasterKey(env.MAI_ENCRYPTION_KEY as string)).toThrow();
  });
});

describe("docker/compose.clients.yaml", () => {
  const { services } = parseCompose("docker/compose.clients.yaml");

  it("gives each client a pair on its own database, its proxy on its own port in trusted-gateway mode", () => {
    const clients = [...services.keys()]
      .filter((n) => n.startsWith("proxy-"))
      .map((n) => n.slice("proxy-".length));
    expect(clients).toEqual(["acme", "globex"]);
    const createDatabases = [services.get("client-databases")?.command ?? []].flat().join("\n");
    const ports = new Set<string>();
    for (const client of clients) {
      const api = services.get(`api-${client}`) as ParsedService;
      const proxy = services.get(`proxy-${client}`) as ParsedService;
      expect(api.env.get("DATABASE_URL")).toMatch(new RegExp(`@postgres:5432/mai_${client}$`));
      expect(createDatabases).toMatch(new RegExp(`for db in [^;]*\\bmai_${client}\\b`));
      expect(proxy.env.get("MAI_API_URL")).toBe(`http://api-${client}:8787`);
      for (const key of [
        "MAI_PROXY_GATEWAY_TOKEN",
        "MAI_PROXY_GATEWAY_JWT_SECRET",
        "MAI_PROXY_AUTO_JOIN_ORGANIZATION_ID",
      ]) {
        expect(proxy.env.get(key), `${client}: ${key}`).toMatch(
          new RegExp(`^\\$\\{${client.toUpperCase()}_`),
        );
      }
      expect(proxy.volumes).toContain(`proxy-spool-${client}:/data/spool`);
      const published = proxy.ports?.map((p) => /^(\d+):8788$/.exec(p)?.[1]).find(Boolean);
      expect(published).toBeDefined();
      ports.add(published as string);
    }
    expect([...ports]).toEqual(["8801", "8802"]);
  });
});

// --- the build, CMD and HEALTHCHECK, run outside Docker -------------------------------------------

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A folder laid out like the runtime image's WORKDIR root, holding only what that image holds: the
 * manifests; node_modules with only the production tree (links to the repository's installed
 * packages); the bundle the Dockerfile's build made; the files copied from the context; and, for
 * files another stage builds that this test does not (the dashboard), a stand-in page.
 */
function imageFolder(dockerfile: string, workspace: string, into: string): string {
  const stages = parseDockerfile(dockerfile);
  const root = appRoot(stages);
  const runtime = stages.at(-1) as Stage;
  for (const copy of runtime.copies) {
    for (const src of copy.sources) {
      // Where the image puts it (`rel`), and what the repository holds in its place (`from`).
      const landsAt =
        copy.from || isDir(src) || !copy.destIsDir ? copy.dest : posix.join(copy.dest, posix.basename(src));
      const rel = posix.relative(root, landsAt);
      const from = copy.from ? posix.relative(root, src) : src;
      if (copy.from && from === "") {
        // The installed app root: the manifests and the production tree.
        for (const m of [
          "package.json",
          "package-lock.json",
          ...[...WORKSPACES.values()].map((d) => `${d}/package.json`),
        ]) {
          mkdirSync(dirname(join(into, m)), { recursive: true });
          cpSync(join(ROOT, m), join(into, m));
        }
        for (const pkgDir of productionTree(workspace)) {
          if (pkgDir.split("node_modules/").length > 2) continue; // nested: comes with its parent
          mkdirSync(dirname(join(into, pkgDir)), { recursive: true });
          symlinkSync(join(ROOT, pkgDir), join(into, pkgDir));
        }
      } else if (copy.from && from.endsWith("/dist") && bundles(from.slice(0, -"/dist".length))) {
        cpSync(join(ROOT, from), join(into, rel), { recursive: true });
      } else if (copy.from) {
        mkdirSync(join(into, rel), { recursive: true });
        writeFileSync(
          join(into, rel, "index.html"),
          "<!doctype html><html><head><title>stand-in</title></head><body></body></html>\n",
        );
      } else {
        cpSync(join(ROOT, from), join(into, rel), { recursive: true });
      }
    }
  }
  return join(into, posix.relative(root, runtime.workdir));
}

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** The image's CMD, run from `workdir` (an image folder) with the image's ENV under `env`. */
function startLikeImage(dockerfile: string, workdir: string, env: Record<string, string>): Started {
  const runtime = parseDockerfile(dockerfile).at(-1) as Stage;
  const [command, ...args] = runtime.cmd as string[];
  const child = spawn(command as string, args, {
    cwd: workdir,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? tmpdir(), ...runtime.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** The image's HEALTHCHECK command's exit code. */
function healthcheck(dockerfile: string, env: Record<string, string>): Promise<number | null> {
  const [command, ...args] = (parseDockerfile(dockerfile).at(-1) as Stage).healthcheck as string[];
  const child = spawn(command as string, args, {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: "ignore",
  });
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

/** Polls the HEALTHCHECK until it passes; fails at once if the app exits first. */
async function healthy(
  dockerfile: string,
  started: Started,
  env: Record<string, string>,
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitedEarly = false;
  started.exited.then(
    () => (exitedEarly = true),
    () => (exitedEarly = true),
  );
  while (Date.now() < deadline) {
    if (exitedEarly) throw new Error(`exited before it was healthy:\n${started.output()}`);
    if ((await healthcheck(dockerfile, env)) === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`not healthy after ${timeoutMs} ms:\n${started.output()}`);
}

describe("the images' build, CMD and HEALTHCHECK, outside Docker, with the compose configuration", () => {
  const scratch = mkdtempSync(join(tmpdir(), "mai-docker-"));
  const children: ChildProcess[] = [];
  const workdirs = new Map<string, string>();

  beforeAll(() => {
    // The Dockerfiles' own build commands, run in the repository (the build stage mirrors it).
    for (const { dockerfile, workspace } of APPS) {
      const command = parseDockerfile(dockerfile)
        .flatMap((s) => s.runs.flatMap(npmCommands))
        .find((w) => w[1] === "run" && w[2] === "build" && workspaceFlags(w)[0] === workspace);
      expect(command, `${dockerfile} builds ${workspace}`).toBeDefined();
      const [npm, ...args] = command as string[];
      const build = spawnSync(npm as string, args, { cwd: ROOT, encoding: "utf8" });
      expect(build.status, `${(command as string[]).join(" ")}\n${build.stdout}${build.stderr}`).toBe(0);
      workdirs.set(
        workspace,
        imageFolder(dockerfile, workspace, join(scratch, workspace.replace("@mai/", ""))),
      );
    }
  });

  afterAll(() => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    rmSync(scratch, { recursive: true, force: true });
  });

  it("holds no TypeScript and no build tool, only the bundle, its map and what the image copies", () => {
    for (const { workspace } of APPS) {
      const workdir = workdirs.get(workspace) as string;
      expect(readdirSync(join(workdir, "dist")).sort()).toEqual([
        "main.inputs.json",
        "main.js",
        "main.js.map",
      ]);
      expect(existsSync(join(workdir, "src"))).toBe(false);
      const imageRoot = join(workdir, "..", "..");
      for (const tool of BUILD_TOOLS)
        expect(existsSync(join(imageRoot, "node_modules", tool)), tool).toBe(false);
      // Every package the bundle imports is in the production tree, where Node finds it.
      const imports = bundleImports(readFileSync(join(workdir, "dist/main.js"), "utf8"));
      expect(imports).toContain("zod");
      for (const name of imports)
        expect(existsSync(join(imageRoot, "node_modules", name)), `${workspace} imports ${name}`).toBe(true);
    }
  });

  it(
    "starts the API and two proxies (multi-tenant and per-client), healthy, wired, stopped cleanly by SIGTERM",
    { timeout: 240_000 },
    async () => {
      const compose = parseCompose("docker/compose.yaml").services;
      const clients = parseCompose("docker/compose.clients.yaml").services;
      const nothing = await freePort(); // stands in for OpenRouter: the test never leaves the machine
      const upstream = `http://127.0.0.1:${nothing}/api/v1`;
      const dataDir = join(scratch, "data");

      // The healthcheck fails while nothing listens.
      expect(await healthcheck("docker/api.Dockerfile", { MAI_API_PORT: String(nothing) })).toBe(1);

      // The API as compose configures it, on the embedded database instead of the postgres service.
      const apiPort = await freePort();
      // The image creates its data directory (RUN mkdir -p /data): PGlite does not create the parent
      // of its folder, and with MAI_ENCRYPTION_KEY given nothing else does.
      mkdirSync(join(dataDir, "api"), { recursive: true });
      const { DATABASE_URL: _postgres, ...apiEnv } = resolvedEnv(compose.get("api") as ParsedService, FILLED);
      const apiOverrides = {
        MAI_API_HOST: "127.0.0.1",
        MAI_API_PORT: String(apiPort),
        MAI_DATA_DIR: join(dataDir, "api"),
        MAI_OPENROUTER_BASE_URL: upstream,
      };
      const api = startLikeImage("docker/api.Dockerfile", workdirs.get("@mai/api") as string, {
        ...apiEnv,
        ...apiOverrides,
      });
      children.push(api.child);
      await healthy("docker/api.Dockerfile", api, { MAI_API_PORT: String(apiPort) });
      expect(existsSync(join(dataDir, "api", "pglite"))).toBe(true);
      expect(existsSync(join(dataDir, "api", "encryption.key"))).toBe(false); // MAI_ENCRYPTION_KEY is given
      // The bundle found the migrations in the image's packages/db/drizzle ...
      const ready = await fetch(`http://127.0.0.1:${apiPort}/readyz`);
      expect(ready.status).toBe(200);
      expect(((await ready.json()) as { migrations: number }).migrations).toBe(
        readdirSync(join(ROOT, "packages/db/drizzle")).filter((f) => f.endsWith(".sql")).length,
      );
      // ... and serves the dashboard from the image's apps/admin/dist.
      const page = await fetch(`http://127.0.0.1:${apiPort}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("<title>stand-in</title>");

      const apiUrl = `http://127.0.0.1:${apiPort}`;
      const proxies: Record<string, { started: Started; port: number }> = {};
      for (const [name, service] of [
        ["proxy", compose.get("proxy") as ParsedService],
        ["proxy-acme", clients.get("proxy-acme") as ParsedService],
      ] as const) {
        const port = await freePort();
        const env = {
          ...resolvedEnv(service, FILLED),
          MAI_PROXY_HOST: "127.0.0.1",
          MAI_PROXY_PORT: String(port),
          MAI_PROXY_SPOOL_DIR: join(dataDir, name, "spool"),
          MAI_API_URL: apiUrl,
          MAI_OPENROUTER_BASE_URL: upstream,
        };
        const started = startLikeImage("docker/proxy.Dockerfile", workdirs.get("@mai/proxy") as string, env);
        children.push(started.child);
        proxies[name] = { started, port };
        await healthy("docker/proxy.Dockerfile", started, { MAI_PROXY_PORT: String(port) });
        // Ready = the API answers; an unknown token is refused by the API through the internal token.
        expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
      }

      const chat = (port: number, headers: Record<string, string>) =>
        fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body: JSON.stringify({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "hi" }] }),
        });
      const unknownToken = await chat(proxies.proxy?.port as number, {
        authorization: `Bearer mai_${"0".repeat(48)}`,
      });
      expect(unknownToken.status).toBe(401);
      expect(((await unknownToken.json()) as { error: { code: string } }).error.code).toBe("invalid_api_key");
      // The per-client proxy trusts its gateway key (JWT secret and organisation left empty: plain headers, no auto-join).
      const gateway = await chat(proxies["proxy-acme"]?.port as number, {
        authorization: `Bearer ${FILLED.ACME_GATEWAY_TOKEN}`,
        "x-openwebui-user-id": "owui-user-1",
        "x-openwebui-user-email": "someone@acme.example",
      });
      expect(gateway.status).toBe(403);
      expect(((await gateway.json()) as { error: { code: string } }).error.code).toBe("unknown_user");

      for (const { started } of [...Object.values(proxies), { started: api }]) {
        started.child.kill("SIGTERM");
        expect(await started.exited, started.output()).toBe(0);
      }
    },
  );
});
