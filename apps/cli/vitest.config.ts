import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Safety nets for a hang, not expected durations: the smoke tests start `npm start`, `npm run
    // demo` and the binary as processes, which on a loaded 2-core machine take minutes, not seconds.
    hookTimeout: 300_000,
    testTimeout: 300_000,
  },
});
