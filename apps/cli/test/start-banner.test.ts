// `npm start`'s "Sign in" line names the provider administrator the database has: an administrator
// created with MAI_ADMIN_EMAIL on the first start keeps that address on the next start without it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type Stack } from "../src/stack/services";
import { signInLines } from "../src/stack/start";
import { freePort } from "./stack-client";

describe("npm start: the Sign in line", () => {
  let dataDir: string;
  let env: Record<string, string>;
  let stack: Stack | undefined;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "mai-start-banner-"));
    env = { MAI_DATA_DIR: dataDir, MAI_API_PORT: String(await freePort()), MAI_PROXY_PORT: String(await freePort()), MAI_ADMIN_DIST: "" };
  });
  afterAll(async () => {
    await stack?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("names the administrator's real e-mail, on the first start and on a later one without MAI_ADMIN_EMAIL", async () => {
    stack = await startStack({ ...env, MAI_ADMIN_EMAIL: "szef@firma.test" });
    const first = (await signInLines(stack, { ...env, MAI_ADMIN_EMAIL: "szef@firma.test" })).join("\n");
    expect(first).toMatch(/Sign in:\s+szef@firma\.test \/ \S+/);
    expect(first).toContain("shown only now");
    await stack.close();

    stack = await startStack(env);
    const later = (await signInLines(stack, env)).join("\n");
    expect(later).toContain("Sign in:          szef@firma.test with the password printed on the first start");
    expect(later).toContain("mai users reset-password szef@firma.test");
    expect(later).not.toContain("admin@mai.local");
    await stack.close();
    stack = undefined;
  });
});
