// Shared flat config. The dependency direction of conventions.md is enforced here, not by memory:
// domain imports nothing of ours and no I/O; db may import domain; apps import packages; the admin
// and the proxy see the API only as a type.
//
// Lint reads types (conventions.md §11): typescript-eslint's recommendedTypeChecked through the
// project service, because the defects that matter here are the ones only types reveal — a
// `return void openWebUiSettings(req, res, "get")` in an HTTP callback once turned a rejected promise
// into an unhandled rejection, i.e. a crashed process. The whole set is on, not only the promise
// rules: outside api/proxy it asked for about twenty one-line edits, each a real one (casts the
// compiler no longer needed, a router type that had decayed to `any`), and it costs ~5% over the
// promise rules alone — the price is building each workspace's program, paid either way.
import js from "@eslint/js";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

const IO_MODULES = [
  "node:*",
  "fs",
  "fs/*",
  "path",
  "http",
  "https",
  "net",
  "crypto",
  "child_process",
  "drizzle-orm",
  "drizzle-orm/*",
  "postgres",
  "@electric-sql/*",
  "@trpc/*",
  "undici",
  "pino",
  "prom-client",
];

/** @type {Record<string, { patterns: { group: string[]; message: string; allowTypeImports?: boolean }[] }>} */
const DIRECTION = {
  domain: {
    patterns: [
      { group: ["@mai/*"], message: "@mai/domain imports nothing internal (conventions.md §3)." },
      { group: IO_MODULES, message: "@mai/domain is pure: no I/O, it must run in a browser." },
    ],
  },
  db: {
    patterns: [
      {
        group: ["@mai/openrouter", "@mai/openrouter/*", "@mai/api", "@mai/api/*", "@mai/proxy", "@mai/admin"],
        message: "@mai/db may import only @mai/domain.",
      },
    ],
  },
  openrouter: {
    patterns: [
      {
        group: ["@mai/db", "@mai/db/*", "@mai/api", "@mai/api/*", "@mai/proxy", "@mai/admin"],
        message: "@mai/openrouter may import only @mai/domain.",
      },
    ],
  },
  api: {
    patterns: [{ group: ["@mai/proxy", "@mai/proxy/*", "@mai/admin", "@mai/admin/*"], message: "Apps do not import apps." }],
  },
  proxy: {
    patterns: [
      { group: ["@mai/db", "@mai/db/*"], message: "The proxy reaches data only through the API's internal.* procedures." },
      { group: ["@mai/admin", "@mai/admin/*"], message: "Apps do not import apps." },
      { group: ["@mai/api", "@mai/api/*"], message: "Import only the type AppRouter from @mai/api.", allowTypeImports: true },
    ],
  },
  cli: {
    // The operators' tool and the one-command stack: it assembles the apps (the API's in-process
    // caller and service, the proxy), so it may import them; nothing imports it.
    patterns: [{ group: ["@mai/admin", "@mai/admin/*"], message: "The CLI does not import the dashboard's code." }],
  },
  admin: {
    patterns: [
      {
        group: ["@mai/db", "@mai/db/*", "@mai/openrouter", "@mai/openrouter/*", "@mai/proxy", "@mai/proxy/*"],
        message: "The admin imports only @mai/domain and the type AppRouter.",
      },
      { group: ["@mai/api", "@mai/api/*"], message: "Import only the type AppRouter from @mai/api.", allowTypeImports: true },
    ],
  },
};

/**
 * Layers that run in a Node process: there an unhandled rejection ends the process (Node's default
 * `--unhandled-rejections=throw`), so `void promise` is not an acceptable way to drop one.
 */
const SERVER_LAYERS = new Set(["api", "proxy", "db", "openrouter", "cli"]);

/**
 * Each app reads its environment once, in `src/env.ts`, and validates it there (conventions.md
 * §7); everything else is handed what that file returns — so a test or a tool can hand in its own,
 * and no setting is read anywhere a reader of env.ts would not look. Tests, benchmarks and tool
 * configs are not the app: they choose a database or a port from the environment they run in.
 */
const ENV_MESSAGE = "Read the environment only in the app's src/env.ts (conventions.md §7); take what it returns as a parameter.";
const PROCESS_ENV = [
  { name: "node:process", importNames: ["env"], message: ENV_MESSAGE },
  { name: "process", importNames: ["env"], message: ENV_MESSAGE },
];

/**
 * One import-specifier style: a relative import names the module without an extension (the
 * bundler resolution every workspace uses), as ~800 imports do; a directory's index is named
 * (`./commands/index`), since Node's ESM loader refuses a bare directory import.
 */
const RELATIVE_WITH_EXTENSION = "/^\\.{1,2}\\/.*\\.(c|m)?(j|t)sx?$/";
const SPECIFIER_MESSAGE = "Name a relative module without its extension (one import-specifier style).";
const SPECIFIER_STYLE = ["ImportDeclaration", "ExportNamedDeclaration", "ExportAllDeclaration", "ImportExpression"].map((node) => ({
  selector: `${node}[source.value=${RELATIVE_WITH_EXTENSION}]`,
  message: SPECIFIER_MESSAGE,
}));

const TEST_FILES = ["**/*.test.ts", "**/*.test.tsx", "**/test/**", "**/e2e/**", "**/testing/**", "**/bench/**"];

/**
 * @param {keyof typeof DIRECTION} layer
 * @param {{ node?: boolean; react?: boolean; tsconfigRootDir?: string }} [options]
 *   `tsconfigRootDir`: pass `import.meta.dirname` from the workspace's eslint.config.js. Without it,
 *   typescript-eslint infers the same directory from the eslint.config.js on the call stack.
 */
export function config(layer, options = {}) {
  const server = SERVER_LAYERS.has(layer);
  return tseslint.config(
    { ignores: ["dist/**", "node_modules/**", "coverage/**", "drizzle/**"] },
    js.configs.recommended,
    ...tseslint.configs.recommendedTypeChecked,
    {
      languageOptions: {
        ecmaVersion: 2023,
        sourceType: "module",
        // Every .ts/.tsx file (src, test, e2e, bench, *.config.ts) is in its workspace's
        // tsconfig.json, so the project service finds a real project for each and no default
        // project is needed (allowDefaultProject would build a second program per file).
        parserOptions: { projectService: true, ...(options.tsconfigRootDir ? { tsconfigRootDir: options.tsconfigRootDir } : {}) },
        globals: options.node === false ? {} : { process: "readonly", console: "readonly", Buffer: "readonly", setTimeout: "readonly", clearTimeout: "readonly", setInterval: "readonly", clearInterval: "readonly", URL: "readonly", AbortController: "readonly", AbortSignal: "readonly", TextEncoder: "readonly", TextDecoder: "readonly", fetch: "readonly", Response: "readonly", Request: "readonly", Headers: "readonly", structuredClone: "readonly", queueMicrotask: "readonly", performance: "readonly", setImmediate: "readonly" },
      },
      rules: {
        "@typescript-eslint/no-restricted-imports": ["error", { ...DIRECTION[layer], paths: PROCESS_ENV }],
        "no-restricted-properties": ["error", { object: "process", property: "env", message: ENV_MESSAGE }],
        "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
        "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
        // Types only: `import type { A, B }`; types beside values: `import { a, type B }`.
        "@typescript-eslint/no-import-type-side-effects": "error",
        "no-restricted-syntax": ["error", ...SPECIFIER_STYLE],
        eqeqeq: ["error", "always", { null: "ignore" }],
        "no-console": "off",
        // In a Node process a fire-and-forget promise carries its own `.catch(...)` (or is
        // awaited): `void` only silences the linter, the rejection still crashes the process. In
        // the browser an unhandled rejection is a console line, so `void` stays allowed there.
        "@typescript-eslint/no-floating-promises": server ? ["error", { ignoreVoid: false }] : "error",
        // The admin: React discards an event handler's return value, so an `async` onClick would be
        // reported for its shape, not for a lost error, and the fix it asks for, `() => void
        // handler()`, adds ceremony without handling (`void` is allowed in the browser). A handler
        // owns its errors (conventions.md §13; the one async handler, CopyButton, catches), and
        // the promises inside it are still checked by no-floating-promises. Everywhere else (a
        // callback to node:http, an EventEmitter, a timer) the check is whole: the promise is
        // returned to code that drops it.
        "@typescript-eslint/no-misused-promises": options.react ? ["error", { checksVoidReturn: { attributes: false } }] : "error",
        // A switch over a union without a `default:` names every member, so adding a member (a
        // DomainError code, a role) points at every place that must decide about it. A `default:`
        // is such a decision ("any other tRPC code: the API is unavailable"), so it counts as
        // exhaustive; otherwise a switch on `string | undefined` would demand `case undefined:`.
        "@typescript-eslint/switch-exhaustiveness-check": ["error", { considerDefaultExhaustiveForUnions: true }],
        // Forwarding what was caught (an `unknown` catch binding, an AbortSignal's `reason`) is what
        // a rejection should do, as `only-throw-error` already allows for `throw` by default;
        // rejecting with a literal or a plain object is still reported.
        "@typescript-eslint/prefer-promise-reject-errors": ["error", { allowThrowingAny: true, allowThrowingUnknown: true }],
        // TanStack Router's control flow is `throw redirect(...)` (a Response, by design).
        "@typescript-eslint/only-throw-error": ["error", { allow: [{ from: "package", package: "@tanstack/router-core", name: "Redirect" }] }],
      },
    },
    {
      // The only JavaScript is eslint.config.js and the CLI's two-line bin shim. They are in no
      // tsconfig (no allowJs), and a default project for them would type-check the whole CLI a
      // second time (the shim imports it), so they get the syntactic rules only.
      files: ["**/*.js"],
      ...tseslint.configs.disableTypeChecked,
      // Plain JavaScript runs in Node as it is, where a relative import needs its extension.
      rules: { ...tseslint.configs.disableTypeChecked.rules, "no-restricted-syntax": "off" },
    },
    ...(options.react ? [reactHooks.configs.flat["recommended-latest"] ?? reactHooks.configs.flat.recommended] : []),
    {
      // The one place an app reads its environment.
      files: ["src/env.ts"],
      rules: { "no-restricted-properties": "off", "@typescript-eslint/no-restricted-imports": ["error", DIRECTION[layer]] },
    },
    {
      // Tooling files (eslint/vitest/drizzle configs) are not part of the package's code: they may
      // import the shared configs and node APIs, and read the environment, whatever the layer.
      files: ["*.config.js", "*.config.ts"],
      rules: { "@typescript-eslint/no-restricted-imports": "off", "no-restricted-properties": "off" },
    },
    {
      // Tests stand up the real system around the code under test (the proxy's tests run a real API
      // on a real database), so test files may import any workspace; the domain's tests still
      // import nothing internal.
      files: TEST_FILES,
      rules: {
        ...(layer === "domain"
          ? { "@typescript-eslint/no-restricted-imports": ["error", { patterns: [DIRECTION.domain.patterns[0]] }] }
          : { "@typescript-eslint/no-restricted-imports": "off" }),
        "no-restricted-properties": "off",
        // vitest types its asymmetric matchers (`expect.any(String)`, `expect.stringMatching(...)`)
        // as `any`, so every `toEqual({ message: expect.any(String) })` would be reported.
        "@typescript-eslint/no-unsafe-assignment": "off",
        // Test doubles implement async interfaces with nothing to wait for: an async generator
        // standing in for a socket's chunks, a stub `async close()`, an `until(async () => …)` probe.
        "@typescript-eslint/require-await": "off",
      },
    },
  );
}
