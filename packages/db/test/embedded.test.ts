import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createOrganization, createSecretBox, getOrganization, getOrganizationKey, loadOrCreateMasterKey, migrate, openDatabase, SecretBoxError } from "../src/index";
import { createDb, fakeOpenRouterKey } from "../src/testing/index";

describe("embedded PGlite in a data directory", () => {
  const dir = mkdtempSync(join(tmpdir(), "mai-data-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps organisations and sealed keys across a restart", async () => {
    const key = fakeOpenRouterKey("7e");
    const first = createDb({ dataDir: join(dir, "pg") });
    await migrate(first.db);
    const org = await createOrganization(first.db, createSecretBox(loadOrCreateMasterKey(dir).key), { name: "Persistent", key });
    await first.close();

    const second = createDb({ dataDir: join(dir, "pg") });
    await migrate(second.db); // a restart migrates again: a no-op
    try {
      expect(await getOrganization(second.db, org.id)).toMatchObject({ name: "Persistent", keyHint: "sk-or-v1-7e7e…7e7e" });
      // The master key file is the same after restart, so the key still opens.
      expect(await getOrganizationKey(second.db, createSecretBox(loadOrCreateMasterKey(dir).key), org.id)).toBe(key);
    } finally {
      await second.close();
    }
  });
});

describe("openDatabase: the one way the API and the CLI open the database", () => {
  const dir = mkdtempSync(join(tmpdir(), "mai-open-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("embedded: creates the data directory (parents too), migrates PGlite in <dir>/pglite, generates the master key once", async () => {
    const dataDir = join(dir, "nested", "data");
    const key = fakeOpenRouterKey("5c");
    const first = await openDatabase({ MAI_DATA_DIR: dataDir });
    let id: string;
    try {
      expect(first.driver).toBe("pglite");
      expect(existsSync(join(dataDir, "pglite"))).toBe(true);
      expect(statSync(join(dataDir, "encryption.key")).mode & 0o777).toBe(0o600);
      id = (await createOrganization(first.db, first.secrets, { name: "Opened", key })).id;
    } finally {
      await first.close();
    }
    const second = await openDatabase({ MAI_DATA_DIR: dataDir });
    try {
      // Same directory, same generated key: the sealed key still opens.
      expect(await getOrganizationKey(second.db, second.secrets, id)).toBe(key);
    } finally {
      await second.close();
    }
  });

  it("embedded with MAI_ENCRYPTION_KEY: that key seals, no key file is generated", async () => {
    const dataDir = join(dir, "with-key");
    const master = Buffer.alloc(32, 7).toString("base64");
    const handle = await openDatabase({ MAI_DATA_DIR: dataDir, MAI_ENCRYPTION_KEY: master });
    try {
      const org = await createOrganization(handle.db, handle.secrets, { name: "Keyed", key: fakeOpenRouterKey("6d") });
      expect(await getOrganizationKey(handle.db, createSecretBox(Buffer.alloc(32, 7)), org.id)).toBe(fakeOpenRouterKey("6d"));
      expect(existsSync(join(dataDir, "encryption.key"))).toBe(false);
    } finally {
      await handle.close();
    }
  });

  it("PostgreSQL without MAI_ENCRYPTION_KEY is refused (a server must not invent a key it would lose)", async () => {
    await expect(openDatabase({ DATABASE_URL: "postgres://postgres@127.0.0.1:1/none", MAI_DATA_DIR: join(dir, "unused") })).rejects.toBeInstanceOf(
      SecretBoxError,
    );
    expect(existsSync(join(dir, "unused"))).toBe(false);
  });

  it("an unreachable PostgreSQL rejects (the pool is closed again, nothing is left running)", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const attempt = openDatabase({
      DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/none`,
      MAI_DATA_DIR: join(dir, "unused"),
      MAI_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString("base64"),
    });
    await expect(attempt).rejects.toThrow();
  });
});
