import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.js"],
    // A safety net for a hang, not an expected duration: each case runs a real rolldown build, which
    // a busy 2-core machine can stretch past vitest's 5 s default.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
