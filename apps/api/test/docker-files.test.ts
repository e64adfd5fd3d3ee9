// The deployment files (docker/*.Dockerfile, docker/compose*.yaml, docker/.env.example,
// .dockerignore), checked on a machine without a Docker engine:
//
// - every path a Dockerfile copies exists and is not excluded from the build context, and the image
//   mirrors the repository's layout under its WORKDIR (the code finds its migrations, the dashboard
//   and its tsconfig through relative paths);
// - every npm command names a real workspace and script, `npm ci` runs after the lock file and
//   every workspace manifest are in, and the runtime image holds the source of every workspace the
//   app imports and every file the code reaches through `import.meta.url`;
// - the compose files set only variables the apps (or the postgres image) declare, interpolate only
//   variables .env.example lists, never let a variable silently become "", and .env.example with its
//   placeholders filled in is a configuration the API accepts (and with them left in, one it refuses);
// - the images' CMD and HEALTHCHECK, run as written from the directory WORKDIR names with the
//   compose configuration, start the API and the proxy and report them healthy.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, posix } from "node:path";
import { fileURLToPath } from "node:url";
import { parseMasterKey } from "@mai/db";
import { afterAll, describe, expect, it } from "vitest";
import { envSchema } from "../src/env";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const read = (rel: string) => readFileSync(join(ROOT, rel), "utf8");
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
}
const manifest = (dir: string) => JSON.parse(read(dir ? `${dir}/package.json` : "package.json")) as Manifest;

/** name → directory, from the root's workspace globs (`group/*`). */
const WORKSPACES = new Map<string, string>();
for (const glob of manifest("").workspaces ?? []) {
  const group = glob.replace(/\/\*$/, "");
  for (const entry of readdirSync(join(ROOT, group))) {
    if (exists(`${group}/${entry}/package.json`))
      WORKSPACES.set(manifest(`${group}/${entry}`).name, `${group}/${entry}`);
  }
}
const workspaceDir = (name: string) => {
  const dir = WORKSPACES.get(name);
  if (!dir) throw new Error(`${name} is not a workspace`);
  return dir;
};

/**
 * What running `dir`'s source needs besides node_modules (repository paths): its src and tsconfig,
 * the tsconfig it extends, the src of every workspace in its production dependency closure, and
 * every file or folder that code reaches through `new URL("…", import.meta.url)`.
 */
function sourceNeeds(dir: string): { required: string[]; reached: string[] } {
  const required = new Set<string>([`${dir}/src`, `${dir}/tsconfig.json`]);
  const tsconfig = JSON.parse(read(`${dir}/tsconfig.json`)) as { extends?: string };
  if (tsconfig.extends) {
    const [, scope, pkg, file] = /^(@[^/]+)\/([^/]+)\/(.+)$/.exec(tsconfig.extends) ?? [];
    required.add(`${workspaceDir(`${scope}/${pkg}`)}/${file}`);
  }
  const dirs = new Set<string>([dir]);
  const queue = [dir];
  while (queue.length > 0) {
    const current = queue.shift() as string;
    for (const dep of Object.keys(manifest(current).dependencies ?? {})) {
      if (!WORKSPACES.has(dep) || dirs.has(workspaceDir(dep))) continue;
      dirs.add(workspaceDir(dep));
      queue.push(workspaceDir(dep));
      required.add(`${workspaceDir(dep)}/src`);
    }
  }
  const reached = new Set<string>();
  const scan = (folder: string) => {
    for (const entry of readdirSync(join(ROOT, folder), { withFileTypes: true })) {
      const rel = `${folder}/${entry.name}`;
      if (entry.isDirectory()) scan(rel);
      else if (/\.tsx?$/.test(entry.name)) {
        for (const m of read(rel).matchAll(/new URL\("([^"]+)",\s*import\.meta\.url\)/g))
          reached.add(posix.join(posix.dirname(rel), m[1] as string));
      }
    }
  };
  for (const d of dirs) scan(`${d}/src`);
  return { required: [...required], reached: [...reached] };
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
    .map((part) => part.trim().replace(/\s*>\s*\/dev\/null$/, ""))
    .filter((part) => part.startsWith("npm "))
    .map((part) => part.split(/\s+/));

/** The workspace a command names with -w / --workspace, if any. */
function workspaceFlag(words: string[]): string | undefined {
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    if (w === "-w" || w === "--workspace") return words[i + 1];
    if (w.startsWith("--workspace=")) return w.slice("--workspace=".length);
  }
  return undefined;
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

/**
 * Repository paths a stage holds: its context copies, and what it copies from other stages (a
 * stage's whole app root brings what that stage holds; a path under it, that path).
 */
function held(stages: Stage[], stage: Stage, root: string, copies = stage.copies): string[] {
  return copies.flatMap((c) => {
    if (!c.from) return c.sources;
    const source = stages.find((s) => s.name === c.from);
    if (!source) throw new Error(`--from=${c.from} names no stage`);
    return c.sources.flatMap((src) =>
      posix.relative(root, src) === "" ? held(stages, source, root) : [posix.relative(root, src)],
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
              (source as Stage).runs.some((run) =>
                npmCommands(run).some((w) => {
                  if (w[1] !== "run" || w[2] !== "build") return false;
                  const built = workspaceDir(workspaceFlag(w) ?? "");
                  const outDir = /outDir:\s*"([^"]+)"/.exec(
                    exists(`${built}/vite.config.ts`) ? read(`${built}/vite.config.ts`) : "",
                  )?.[1];
                  return outDir !== undefined && rel === `${built}/${outDir}`;
                }),
              );
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

  it("runs npm only on real workspaces and scripts, after the lock file and every manifest are in", () => {
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
          const ws = workspaceFlag(words);
          if (ws) expect(WORKSPACES.has(ws), `line ${run.line}: ${ws} is not a workspace`).toBe(true);
          const before = held(stages, stage, root, stage.copies.slice(0, run.copiesBefore));
          switch (words[1]) {
            case "ci":
              for (const m of manifests)
                expect(holds(before, m), `line ${run.line}: npm ci before ${m} is copied`).toBe(true);
              break;
            case "run": {
              const script = words[2] as string;
              const target = ws ? workspaceDir(ws) : "";
              expect(
                manifest(target).scripts?.[script],
                `line ${run.line}: no "${script}" script in ${target || "the root"}`,
              ).toBeDefined();
              // A build needs the workspace's source and everything it imports.
              const needs = [
                ...sourceNeeds(target).required,
                ...["index.html", "vite.config.ts"].map((f) => `${target}/${f}`).filter(exists),
              ];
              for (const need of needs)
                expect(holds(before, need), `line ${run.line}: ${need} is not copied before the build`).toBe(
                  true,
                );
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

  it(`installs the production dependencies of ${workspace}, tsx among them`, () => {
    const installs = stages
      .flatMap((s) => s.runs.flatMap(npmCommands))
      .filter((w) => w[1] === "ci" && w.includes("--omit=dev"));
    expect(installs.map(workspaceFlag)).toEqual([workspace]);
    // --omit=dev: what the runtime needs must be a dependency, not a devDependency.
    expect(pkg.dependencies?.tsx).toBeDefined();
    expect(pkg.devDependencies?.tsx).toBeUndefined();
    // The runtime takes node_modules from that stage, mirrored at the app root.
    const deps = runtime.copies.find((c) => c.from && c.sources.includes(root));
    expect(deps, "the runtime stage copies the installed app root").toBeDefined();
    const installing = stages.find((s) => s.name === deps?.from);
    expect(installing?.runs.flatMap(npmCommands).some((w) => w[1] === "ci" && w.includes("--omit=dev"))).toBe(
      true,
    );
  });

  it("gives the runtime image the source of everything the app imports and reaches", () => {
    const paths = held(stages, runtime, root);
    const { required, reached } = sourceNeeds(dir);
    for (const need of [...required, ...reached])
      expect(holds(paths, need), `${need} is not in the runtime image`).toBe(true);
    if (workspace === "@mai/api") {
      // The migrations and the dashboard, found relative to packages/db/src and apps/api/src.
      expect(reached).toEqual(expect.arrayContaining(["packages/db/drizzle", "apps/admin/dist"]));
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

  it("starts the app as its start script does, from the workspace the WORKDIR names", () => {
    expect(posix.relative(root, runtime.workdir)).toBe(dir);
    const [tool, ...args] = (pkg.scripts?.start ?? "").split(/\s+/);
    expect(tool).toBe("tsx");
    expect(runtime.cmd).toEqual(["node", "--import", "tsx", ...args]);
    for (const arg of args)
      expect(holds(held(stages, runtime, root), `${dir}/${arg}`), `${dir}/${arg}`).toBe(true);
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
      "apps/admin/test-results/e2e",
      "docs/screenshots/pglite-overview.png",
      "docker/.env",
      "apps/api/test/harness.ts",
    ]) {
      expect(ignored(path), path).toBe(true);
    }
    expect(ignored("apps/api/src/main.ts")).toBe(false);
    expect(ignored("packages/db/drizzle/meta/_journal.json")).toBe(false);
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
  // The proxy's schema, read as text (the API does not depend on the proxy).
  const text = read("apps/proxy/src/env.ts");
  const body = text.slice(
    text.indexOf("export const envSchema = z.object({"),
    text.indexOf("\n});", text.indexOf("export const envSchema")),
  );
  return [...body.matchAll(/^ {2}([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1] as string);
}

/** Blocks of lines introduced by a key at exactly `indent` spaces (the key's line included). */
function blocks(lines: string[], indent: number): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of lines) {
    if (line.trim() === "" || line.trimStart().startsWith("#")) continue;
    const lead = line.length - line.trimStart().length;
    const key = new RegExp(`^ {${indent}}([A-Za-z0-9_.-]+):`).exec(line);
    if (lead === indent && key) {
      current = [line];
      out.set(key[1] as string, current);
    } else if (lead > indent && current) current.push(line);
    else current = undefined;
  }
  return out;
}

interface Service {
  image?: string;
  dockerfile?: string;
  env: Map<string, string>;
  text: string;
}

function parseCompose(rel: string): { services: Map<string, Service>; text: string } {
  const text = read(rel);
  const lines = text.split("\n");
  const top = blocks(lines, 0);
  const anchors = new Map<string, string[]>();
  for (const block of top.values()) {
    const anchor = /&([A-Za-z0-9_-]+)\s*$/.exec(block[0] as string);
    if (anchor) anchors.set(anchor[1] as string, block.slice(1));
  }
  // A service's lines with every `<<: *anchor` merged in.
  const expand = (block: string[]): string[] =>
    block.flatMap((line) => {
      const alias = /^\s*<<:\s*\*([A-Za-z0-9_-]+)\s*$/.exec(line);
      if (!alias) return [line];
      const target = anchors.get(alias[1] as string);
      if (!target) throw new Error(`${rel}: unknown anchor ${alias[1]}`);
      return expand(target);
    });
  const services = new Map<string, Service>();
  for (const [name, block] of blocks(top.get("services")?.slice(1) ?? [], 2)) {
    const all = expand(block);
    const env = new Map<string, string>();
    for (const line of all) {
      const kv = /^\s+([A-Z][A-Z0-9_]*):\s*(.*)$/.exec(line);
      if (kv) env.set(kv[1] as string, (kv[2] as string).replace(/^"(.*)"$/, "$1"));
    }
    services.set(name, {
      image: all.map((l) => /^\s+image:\s*(\S+)/.exec(l)?.[1]).find(Boolean),
      dockerfile: all.map((l) => /^\s+dockerfile:\s*(\S+)/.exec(l)?.[1]).find(Boolean),
      env,
      text: all.join("\n"),
    });
  }
  return { services, text };
}

const INTERPOLATION = /(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g;

/** What docker compose makes of a value, given the .env variables. */
function interpolate(value: string, vars: Record<string, string>): string {
  return value
    .replace(INTERPOLATION, (_m, name: string, op: string | undefined, arg: string | undefined) => {
      const set = vars[name];
      if (set !== undefined && set !== "") return set;
      if (op === ":?") throw new Error(`${name} is required: ${arg}`);
      return arg ?? "";
    })
    .replace(/\$\$/g, "$");
}

const EXAMPLE: Record<string, string> = Object.fromEntries(
  read("docker/.env.example")
    .split("\n")
    .map((line) => /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1] as string, m[2] as string]),
);
const PLACEHOLDER = "CHANGE-ME";
/** .env.example with every placeholder replaced by a fresh secret, as the comments there say. */
const FILLED: Record<string, string> = Object.fromEntries(
  Object.entries(EXAMPLE).map(([name, value]) => [
    name,
    value !== PLACEHOLDER
      ? value
      : name.endsWith("ENCRYPTION_KEY")
        ? randomBytes(32).toString("base64")
        : randomBytes(32).toString("hex"),
  ]),
);

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

const resolvedEnv = (service: Service, vars: Record<string, string>) =>
  Object.fromEntries([...service.env].map(([name, value]) => [name, interpolate(value, vars)]));

describe.each(COMPOSE_FILES)("%s", (file) => {
  const { services, text } = parseCompose(file);

  it("is plain block YAML: two-space indentation, no tabs", () => {
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
        expect(service.dockerfile, `${name} builds its image`).toBe(
          APPS.find((a) => a.workspace === app)?.dockerfile,
        );
        expect(exists(service.dockerfile as string)).toBe(true);
        expect(service.text).toMatch(/context:\s*\.\.\s*$/m); // the repository root, seen from docker/
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

  it("lets the proxy read every empty default as unset", () => {
    const proxyEnv = read("apps/proxy/src/env.ts");
    for (const service of [...services.values()].filter((s) => appOf(s) === "@mai/proxy")) {
      for (const [key, value] of service.env) {
        if (!/^\$\{[A-Z0-9_]+:-\}$/.test(value)) continue;
        expect(proxyEnv, `${key}: "" must be read as unset`).toMatch(
          new RegExp(`^ {2}${key}: (optional\\(|list\\.)`, "m"),
        );
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
    const postgres = services.get("postgres") as Service;
    expect(postgres.image).toBe("postgres:16");
    expect(postgres.text).toMatch(/pg_isready/);
    expect(postgres.text).toMatch(/- postgres-data:\/var\/lib\/postgresql\/data$/m);
    expect(services.get("api")?.text).toMatch(/depends_on:\n\s+postgres:\n\s+condition: service_healthy/);
    expect(services.get("proxy")?.text).toMatch(/depends_on:\n\s+api:\n\s+condition: service_healthy/);
    expect(services.get("api")?.text).toMatch(/- "\$\{MAI_API_PUBLISH:-8787\}:8787"/);
    expect(services.get("proxy")?.text).toMatch(/- "\$\{MAI_PROXY_PUBLISH:-8788\}:8788"/);
  });

  it("requires the secrets, and shares the internal token between the API and the proxy", () => {
    const api = services.get("api") as Service;
    const proxy = services.get("proxy") as Service;
    for (const key of ["MAI_ENCRYPTION_KEY", "MAI_INTERNAL_TOKEN", "MAI_ADMIN_PASSWORD"])
      expect(api.env.get(key)).toMatch(new RegExp(`^\\$\\{${key}:\\?`));
    expect(api.env.get("DATABASE_URL")).toContain("${POSTGRES_PASSWORD:?");
    expect(proxy.env.get("MAI_INTERNAL_TOKEN")).toBe(api.env.get("MAI_INTERNAL_TOKEN"));
    expect(proxy.env.get("MAI_API_URL")).toBe("http://api:8787");
    // The spool volume is where the image's proxy spools.
    expect(proxyRuntime.volumes).toEqual([proxyRuntime.env.MAI_PROXY_SPOOL_DIR]);
    expect(proxy.text).toContain(`- proxy-spool:${proxyRuntime.env.MAI_PROXY_SPOOL_DIR}`);
  });

  it("refuses to start the API with .env.example's placeholders left in", () => {
    const env = resolvedEnv(services.get("api") as Service, EXAMPLE);
    const refused = envSchema.safeParse(env).error?.issues.map((i) => i.path.join(".")) ?? [];
    expect(refused.sort()).toEqual(["MAI_ADMIN_PASSWORD", "MAI_INTERNAL_TOKEN"]);
    expect(() => parseMasterKey(env.MAI_ENCRYPTION_KEY as string)).toThrow();
  });
});

describe("docker/compose.clients.yaml", () => {
  const { services, text } = parseCompose("docker/compose.clients.yaml");

  it("gives each client a pair on its own database, its proxy on its own port in trusted-gateway mode", () => {
    const clients = [...services.keys()]
      .filter((n) => n.startsWith("proxy-"))
      .map((n) => n.slice("proxy-".length));
    expect(clients).toEqual(["acme", "globex"]);
    const ports = new Set<string>();
    for (const client of clients) {
      const api = services.get(`api-${client}`) as Service;
      const proxy = services.get(`proxy-${client}`) as Service;
      expect(api.env.get("DATABASE_URL")).toMatch(new RegExp(`@postgres:5432/mai_${client}$`));
      expect(text).toMatch(new RegExp(`for db in [^;]*\\bmai_${client}\\b`));
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
      expect(proxy.text).toMatch(new RegExp(`- proxy-spool-${client}:/data/spool$`, "m"));
      const published = /- "(\d+):8788"/.exec(proxy.text)?.[1];
      expect(published).toBeDefined();
      ports.add(published as string);
    }
    expect([...ports]).toEqual(["8801", "8802"]);
  });
});

// --- the CMD and HEALTHCHECK, run outside Docker ----------------------------------------------------

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** The image's CMD, run from the repository folder its WORKDIR names, with the image's ENV under `env`. */
function startLikeImage(dockerfile: string, env: Record<string, string>): Started {
  const stages = parseDockerfile(dockerfile);
  const runtime = stages.at(-1) as Stage;
  const cwd = join(ROOT, posix.relative(appRoot(stages), runtime.workdir));
  const [command, ...args] = runtime.cmd as string[];
  const child = spawn(command as string, args, {
    cwd,
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

async function healthy(
  dockerfile: string,
  started: Started,
  env: Record<string, string>,
  timeoutMs = 60_000,
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

describe("the images' CMD and HEALTHCHECK, outside Docker, with the compose configuration", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "mai-docker-"));
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    "starts the API and two proxies (multi-tenant and per-client), healthy, wired, stopped cleanly by SIGTERM",
    { timeout: 180_000 },
    async () => {
      const compose = parseCompose("docker/compose.yaml").services;
      const clients = parseCompose("docker/compose.clients.yaml").services;
      const nothing = await freePort(); // stands in for OpenRouter: the test never leaves the machine
      const upstream = `http://127.0.0.1:${nothing}/api/v1`;

      // The healthcheck fails while nothing listens.
      expect(await healthcheck("docker/api.Dockerfile", { MAI_API_PORT: String(nothing) })).toBe(1);

      // The API as compose configures it, on the embedded database instead of the postgres service.
      const apiPort = await freePort();
      // The image creates its data directory (RUN mkdir -p /data): PGlite does not create the parent
      // of its folder, and with MAI_ENCRYPTION_KEY given nothing else does.
      mkdirSync(join(dataDir, "api"));
      const { DATABASE_URL: _postgres, ...apiEnv } = resolvedEnv(compose.get("api") as Service, FILLED);
      const apiOverrides = {
        MAI_API_HOST: "127.0.0.1",
        MAI_API_PORT: String(apiPort),
        MAI_DATA_DIR: join(dataDir, "api"),
        MAI_OPENROUTER_BASE_URL: upstream,
      };
      const api = startLikeImage("docker/api.Dockerfile", { ...apiEnv, ...apiOverrides });
      children.push(api.child);
      await healthy("docker/api.Dockerfile", api, { MAI_API_PORT: String(apiPort) });
      expect(existsSync(join(dataDir, "api", "pglite"))).toBe(true);
      expect(existsSync(join(dataDir, "api", "encryption.key"))).toBe(false); // MAI_ENCRYPTION_KEY is given
      const ready = await fetch(`http://127.0.0.1:${apiPort}/readyz`);
      expect(ready.status).toBe(200);
      expect(((await ready.json()) as { migrations: number }).migrations).toBe(
        readdirSync(join(ROOT, "packages/db/drizzle")).filter((f) => f.endsWith(".sql")).length,
      );

      const apiUrl = `http://127.0.0.1:${apiPort}`;
      const proxies: Record<string, { started: Started; port: number }> = {};
      for (const [name, service] of [
        ["proxy", compose.get("proxy") as Service],
        ["proxy-acme", clients.get("proxy-acme") as Service],
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
        const started = startLikeImage("docker/proxy.Dockerfile", env);
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
