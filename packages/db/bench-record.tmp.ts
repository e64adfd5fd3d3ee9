import { randomUUID } from "node:crypto";
import { createOrganization, recordUsageEvents } from "./src/index";
import { createTestDb } from "./src/testing";
const t = await createTestDb(process.env.DATABASE_URL ? "postgres" : "pglite");
const org = (await createOrganization(t.db, t.secrets, { name: "B" })).id;
const users = Array.from({ length: 4 }, () => randomUUID());
let n = 0;
const batch = (size: number) => Array.from({ length: size }, () => ({
  generationId: `gen-${++n}-${randomUUID()}`, organizationId: org, userId: users[n % 4]!, externalUserId: "x", model: "openai/gpt-4o-mini", provider: "OpenAI",
  promptTokens: 10, completionTokens: 5, rawCostNano: 1234n, markupBp: 13000, status: "ok" as const, streamed: true, latencyMs: 3, ttfbMs: 1, occurredAt: new Date(),
  release: { period: "2026-11", nano: 1000n },
}));
for (let i = 0; i < 20; i++) await recordUsageEvents(t.db, batch(Number(process.env.B ?? 200)));
const t0 = performance.now(); const c0 = process.cpuUsage();
const N = 100;
for (let i = 0; i < N; i++) await recordUsageEvents(t.db, batch(Number(process.env.B ?? 200)));
const c = process.cpuUsage(c0);
console.log(`${((performance.now() - t0) * 1000 / (N * Number(process.env.B ?? 200))).toFixed(1)} µs/event wall, ${((c.user + c.system) / (N * Number(process.env.B ?? 200))).toFixed(1)} µs/event CPU`);
await t.close();
