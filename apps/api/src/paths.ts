// The files the API needs at run time that are not code: the SQL migrations (packages/db/drizzle)
// and the built dashboard (apps/admin/dist). They are found from where the running module is —
// apps/api/src/paths.ts from source (tests, `npm run dev`), apps/api/dist/main.js in the bundle, or
// <app>/dist/main.js in a bundle that includes the API (the CLI): one folder below an app folder
// either way (@mai/bundle makes one file per bundle for that reason), so one relative path holds in
// all of them. The images keep the repository's layout (docker/README.md).
import { fileURLToPath } from "node:url";

/** The drizzle-kit migrations, applied at every start: passed to @mai/db explicitly (see above). */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL("../../../packages/db/drizzle", import.meta.url));

/** The dashboard's build, served unless MAI_ADMIN_DIST says otherwise. */
export const ADMIN_DIST = fileURLToPath(new URL("../../admin/dist", import.meta.url));
