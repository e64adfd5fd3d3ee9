// openDatabase with DATABASE_READ_URL: a second handle for reads, opened beside the primary and
// never migrated; refused in words without DATABASE_URL (the embedded PGlite has no replica).
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { DatabaseConfigError, openDatabase } from "../src/index";
import { createTestDb, queryRows, sql } from "../src/testing/index";

const dir = mkdtempSync(join(tmpdir(), "mai-read-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const MASTER = Buffer.alloc(32, 3).toString("base64");

describe("openDatabase: DATABASE_READ_URL", () => {
  it("without DATABASE_URL is a configuration error in words, before anything is opened or created", async () => {
    const dataDir = join(dir, "never-created");
    const attempt = openDatabase({ DATABASE_READ_URL: "postgres://postgres@127.0.0.1:1/replica", MAI_DATA_DIR: dataDir });
    await expect(attempt).rejects.toBeInstanceOf(DatabaseConfigError);
    await expect(attempt).rejects.toThrow(/DATABASE_READ_URL .*DATABASE_URL.*not set/);
    expect(existsSync(dataDir)).toBe(false);
  });
});

describe.skipIf(!process.env.DATABASE_URL)("openDatabase with a read replica on PostgreSQL", () => {
  it("without DATABASE_READ_URL, reads use the primary's own Database", async () => {
    const primary = await createTestDb("postgres");
    try {
      const handle = await openDatabase({ DATABASE_URL: primary.url, MAI_DATA_DIR: join(dir, "unused"), MAI_ENCRYPTION_KEY: MASTER });
      expect(handle.read).toBe(handle.db);
      await handle.close();
    } finally {
      await primary.close();
    }
  });

  it("opens the replica as `read`, never migrates it, and closes both", async () => {
    const primary = await createTestDb("postgres");
    // An empty database stands in for the replica: were it migrated, it would have tables.
    const admin = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
    const name = `mai_test_${Date.now()}_${randomBytes(4).toString("hex")}`;
    await admin.unsafe(`create database "${name}"`);
    const replicaUrl = new URL(process.env.DATABASE_URL!);
    replicaUrl.pathname = `/${name}`;
    try {
      const handle = await openDatabase({
        DATABASE_URL: primary.url,
        DATABASE_READ_URL: replicaUrl.toString(),
        MAI_DATA_DIR: join(dir, "unused"),
        MAI_ENCRYPTION_KEY: MASTER,
      });
      const database = (db: typeof handle.db) => queryRows<{ name: string }>(db, sql`select current_database() as name`);
      const tables = (db: typeof handle.db) =>
        queryRows<{ n: number }>(db, sql`select count(*)::int as n from information_schema.tables where table_schema in ('public', 'drizzle')`);
      try {
        expect(handle.read).not.toBe(handle.db);
        expect(await database(handle.read)).toEqual([{ name }]);
        expect(await database(handle.db)).not.toEqual([{ name }]);
        expect(await tables(handle.read)).toEqual([{ n: 0 }]);
        expect((await tables(handle.db))[0]!.n).toBeGreaterThan(10);
      } finally {
        await handle.close();
      }
      // Both pools are ended: neither answers any more.
      await expect(database(handle.read)).rejects.toThrow();
      await expect(database(handle.db)).rejects.toThrow();
    } finally {
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end({ timeout: 5 });
      await primary.close();
    }
  });
});
