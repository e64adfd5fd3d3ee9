import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Creating a PGlite instance or a PostgreSQL database and migrating it takes a moment on 2 cores.
    hookTimeout: 60_000,
    testTimeout: 30_000,
  },
});
