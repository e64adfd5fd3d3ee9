// Shared flat config. The dependency direction of conventions.md is enforced here, not by memory:
// domain imports nothing of ours and no I/O; db may import domain; apps import packages; the admin
// and the proxy see the API only as a type.
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
 * @param {keyof typeof DIRECTION} layer
 * @param {{ node?: boolean; react?: boolean }} [options]
 */
export function config(layer, options = {}) {
  return tseslint.config(
    { ignores: ["dist/**", "node_modules/**", "coverage/**", "drizzle/**"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
      languageOptions: {
        ecmaVersion: 2023,
        sourceType: "module",
        globals: options.node === false ? {} : { process: "readonly", console: "readonly", Buffer: "readonly", setTimeout: "readonly", clearTimeout: "readonly", setInterval: "readonly", clearInterval: "readonly", URL: "readonly", AbortController: "readonly", AbortSignal: "readonly", TextEncoder: "readonly", TextDecoder: "readonly", fetch: "readonly", Response: "readonly", Request: "readonly", Headers: "readonly", structuredClone: "readonly", queueMicrotask: "readonly", performance: "readonly", setImmediate: "readonly" },
      },
      rules: {
        "@typescript-eslint/no-restricted-imports": ["error", DIRECTION[layer]],
        "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
        "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
        eqeqeq: ["error", "always", { null: "ignore" }],
        "no-console": "off",
      },
    },
    ...(options.react ? [reactHooks.configs.flat["recommended-latest"] ?? reactHooks.configs.flat.recommended] : []),
    {
      // Tooling files (eslint/vitest/drizzle configs) are not part of the package's code: they may
      // import the shared configs and node APIs whatever the layer.
      files: ["*.config.js", "*.config.ts"],
      rules: { "@typescript-eslint/no-restricted-imports": "off" },
    },
    {
      // Tests stand up the real system around the code under test (the proxy's tests run a real API
      // on a real database), so test files may import any workspace; the domain's tests still
      // import nothing internal.
      files: ["**/*.test.ts", "**/*.test.tsx", "**/test/**", "**/e2e/**", "**/testing/**", "**/bench/**"],
      rules:
        layer === "domain"
          ? { "@typescript-eslint/no-restricted-imports": ["error", { patterns: [DIRECTION.domain.patterns[0]] }] }
          : { "@typescript-eslint/no-restricted-imports": "off" },
    },
  );
}
