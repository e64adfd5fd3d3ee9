import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The images' commands are run for real: the bundles are built first (a few seconds each).
    hookTimeout: 180_000,
    testTimeout: 180_000,
  },
});
