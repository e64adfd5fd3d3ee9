import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // A safety net for a hang, not an expected duration: pure functions take milliseconds, but a
    // 2-core machine running the other packages' suites (and whatever else) can stretch a test
    // that builds a 10,000-line batch past vitest's 5 s default.
    testTimeout: 60_000,
  },
});
