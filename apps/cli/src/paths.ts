// The files the CLI needs at run time that are not code: the SQL migrations (packages/db/drizzle)
// and the dashboard's project (apps/admin, built by `mai start` when needed). They are found from
// where the running module is — apps/cli/src/paths.ts from source (tests), apps/cli/dist/main.js in
// the bundle `mai` runs: one folder below apps/cli either way (@mai/bundle makes one file per
// bundle for that reason), so one relative path holds in both.
import { fileURLToPath } from "node:url";

/** The drizzle-kit migrations, passed to @mai/db explicitly: its own default is relative to its source. */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL("../../../packages/db/drizzle", import.meta.url));

/** The dashboard's project (its sources, and its build in dist/). */
export const ADMIN_ROOT = fileURLToPath(new URL("../../admin", import.meta.url));

/**
 * The proxy's worker-thread entry (src/proxy.worker.ts): from the source (tests, tsx) the TypeScript
 * file, from the bundle its own bundle beside dist/main.js (@mai/bundle builds `src/*.worker.ts`).
 */
export const PROXY_WORKER = new URL(import.meta.url.endsWith(".ts") ? "./proxy.worker.ts" : "./proxy.worker.js", import.meta.url);
