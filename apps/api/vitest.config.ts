import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Two files at a time (vitest's default on 2 cores is one): the two hostile-input files take
    // minutes each and would otherwise be the last thing CI waits for, on one core.
    maxWorkers: 2,
    // Safety nets for a hang, not expected durations: on a loaded 2-core machine (CI beside other
    // work) a PGlite start and migration or a few hundred requests take minutes, not seconds.
    hookTimeout: 300_000,
    testTimeout: 120_000,
  },
});
