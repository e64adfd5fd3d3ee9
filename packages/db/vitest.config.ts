import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Safety nets for a hang, not expected durations: on a loaded 2-core machine (CI beside other
    // work) a PGlite start and migration or a few hundred requests take minutes, not seconds.
    hookTimeout: 300_000,
    testTimeout: 120_000,
  },
});
