import { defineConfig } from "drizzle-kit";

// `npm run db:generate -w @mai/db` writes SQL migrations into ./drizzle; they are committed and
// applied at startup by migrate(db). No database is needed to generate.
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/schema/index.ts",
  out: "./drizzle",
});
