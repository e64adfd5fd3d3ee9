import { getUserByEmail } from "@mai/db";
import { testDrivers } from "@mai/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureProviderAdmin } from "../src/services/auth/bootstrap";
import { createHarness, type Harness } from "./harness";

describe.each(testDrivers())("first start on %s", (driver) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(driver);
  });
  afterAll(() => h.close());

  it("creates the provider administrator once, printing a generated password that signs in", async () => {
    const printed: string[] = [];
    const first = await ensureProviderAdmin(h.t.db, h.deps.env, h.deps.logger, (line) => printed.push(line));
    expect(first).toEqual({ created: true, email: "admin@mai.local" });
    const password = printed.join("\n").match(/password: (\S+)/)?.[1];
    expect(password).toMatch(/^[A-Za-z0-9]{20}$/);
    const me = await h.caller(null).auth.login({ email: "admin@mai.local", password: password! });
    expect(me.role).toBe("provider_admin");
    // Never stored in clear, never logged.
    expect((await getUserByEmail(h.t.db, "admin@mai.local"))?.passwordHash).not.toContain(password!);
    expect(h.logs.join("")).not.toContain(password!);

    const again: string[] = [];
    expect(await ensureProviderAdmin(h.t.db, h.deps.env, h.deps.logger, (line) => again.push(line))).toEqual({
      created: false,
      email: "admin@mai.local",
    });
    expect(again).toEqual([]);
  });

  it("uses MAI_ADMIN_EMAIL and MAI_ADMIN_PASSWORD when given, printing nothing", async () => {
    const other = await createHarness(driver, { MAI_ADMIN_EMAIL: "owner@provider.example", MAI_ADMIN_PASSWORD: "a configured password" });
    try {
      const printed: string[] = [];
      await ensureProviderAdmin(other.t.db, other.deps.env, other.deps.logger, (line) => printed.push(line));
      expect(printed).toEqual([]);
      const me = await other.caller(null).auth.login({ email: "owner@provider.example", password: "a configured password" });
      expect(me.role).toBe("provider_admin");
    } finally {
      await other.close();
    }
  });

  it("marks the session cookie Secure when the dashboard is served over https", async () => {
    const secure = await createHarness(driver, { MAI_PUBLIC_URL: "https://mai.example.com" });
    try {
      await ensureProviderAdmin(secure.t.db, { ...secure.deps.env, MAI_ADMIN_PASSWORD: "another configured password" }, secure.deps.logger, () => {});
      await secure.caller(null).auth.login({ email: "admin@mai.local", password: "another configured password" });
      expect(secure.cookies.at(-1)!.split("; ")).toContain("Secure");
    } finally {
      await secure.close();
    }
  });
});
