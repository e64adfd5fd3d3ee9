import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Safety nets for a hang, not expected durations: on a loaded 2-core machine (CI beside other
    // work) a simulator's streams take minutes, not seconds.
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
