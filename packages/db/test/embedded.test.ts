import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createDb, createOrganization, createSecretBox, getOrganization, getOrganizationKey, loadOrCreateMasterKey, migrate } from "../src/index";
import { fakeOpenRouterKey } from "../src/testing/index";

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
