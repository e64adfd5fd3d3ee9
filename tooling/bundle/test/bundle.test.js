// The bundler on a small repository of its own (a workspace root, an app, a package it inlines):
// what goes in and what stays out, that the bundle runs with plain node, and when it is stale.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { bundle, ensureBundle, isExternal, isStale } from "../index.js";

const root = mkdtempSync(join(tmpdir(), "mai-bundle-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** @param {string} rel @param {string} text */
const write = (rel, text) => {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), text);
};
write("package.json", JSON.stringify({ name: "repo", private: true, workspaces: ["apps/*", "packages/*"] }));
write("apps/app/package.json", JSON.stringify({ name: "@mai/app", type: "module" }));
write(
  "apps/app/src/main.ts",
  [
    'import { greet } from "@mai/lib";',
    'import { here } from "./paths";',
    'const name: string = process.argv[2] ?? "world";',
    "console.log(greet(name), here.endsWith('/dist/main.js'));",
  ].join("\n"),
);
write("apps/app/src/paths.ts", "export const here: string = new URL(import.meta.url).pathname;\n");
write(
  "packages/lib/package.json",
  JSON.stringify({ name: "@mai/lib", type: "module", exports: { ".": "./src/index.ts" } }),
);
write("packages/lib/src/index.ts", "export const greet = (name: string): string => `hello ${name}`;\n");
mkdirSync(join(root, "node_modules/@mai"), { recursive: true });
symlinkSync(join(root, "packages/lib"), join(root, "node_modules/@mai/lib"));
const app = join(root, "apps/app");
const run = () => execFileSync(process.execPath, [join(app, "dist/main.js"), "bundle"], { encoding: "utf8" });

describe("@mai/bundle", () => {
  it("inlines our workspaces and leaves every npm package (and Node's modules) to node_modules", () => {
    expect(isExternal("@mai/db")).toBe(false);
    expect(isExternal("./paths")).toBe(false);
    expect(isExternal("/abs/file.ts")).toBe(false);
    for (const id of ["postgres", "@electric-sql/pglite", "drizzle-orm/pg-core", "vite", "node:fs"])
      expect(isExternal(id), id).toBe(true);
  });

  it("makes one ES module that plain node runs, with import.meta.url its own place in dist/", async () => {
    expect(isStale(app)).toBe("not built yet");
    const { modules } = await bundle(app);
    expect(modules).toBe(3);
    expect(run()).toBe("hello bundle true\n");
    const code = readFileSync(join(app, "dist/main.js"), "utf8");
    expect(code).not.toContain(": string"); // types stripped
    expect(code).toContain("//# sourceMappingURL=main.js.map");
    expect(isStale(app)).toBeNull();
  });

  it("is stale when a source it holds changes, also in an inlined workspace, and not when a file it does not hold does", async () => {
    write("apps/app/src/unused.ts", "export const unused = 1;\n");
    expect(isStale(app)).toBeNull();
    write("packages/lib/src/index.ts", "export const greet = (name: string): string => `hi ${name}`;\n");
    expect(isStale(app)).toBe("../../packages/lib/src/index.ts changed");
    /** @type {string[]} */
    const said = [];
    await ensureBundle(app, (line) => said.push(line));
    expect(said[0]).toMatch(
      /^Building .*dist\/main\.js \(\.\.\/\.\.\/packages\/lib\/src\/index\.ts changed\)…$/,
    );
    expect(run()).toBe("hi bundle true\n");
    await ensureBundle(app, (line) => said.push(line));
    expect(said).toHaveLength(2); // up to date: nothing said, nothing built
  });

  it("bundles each src/<name>.worker.ts into a file of its own beside main.js, and is stale while one is missing", async () => {
    write(
      "apps/app/src/echo.worker.ts",
      [
        'import { greet } from "@mai/lib";',
        'import { here } from "./paths";',
        "console.log(greet('worker'), here.endsWith('/dist/echo.worker.js'));",
      ].join("\n"),
    );
    expect(isStale(app)).toBe("src/echo.worker.ts is new");
    await bundle(app);
    expect(isStale(app)).toBeNull();
    const worker = execFileSync(process.execPath, [join(app, "dist/echo.worker.js")], { encoding: "utf8" });
    expect(worker).toBe("hi worker true\n");
    expect(run()).toBe("hi bundle true\n");
    rmSync(join(app, "dist/echo.worker.js"));
    expect(isStale(app)).toBe("dist/echo.worker.js is missing");
    rmSync(join(app, "src/echo.worker.ts"));
    await bundle(app);
  });

  it("fails on an import that does not resolve or an export that does not exist, in words", async () => {
    write("apps/app/src/paths.ts", 'export { nothing as here } from "@mai/lib";\n');
    await expect(bundle(app)).rejects.toThrow(/bundling .* failed: .*"nothing" is not exported/s);
    write("apps/app/src/paths.ts", 'export { here } from "./missing";\n');
    await expect(bundle(app)).rejects.toThrow(/bundling .* failed: .*missing/s);
  });
});
