import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [react()],
  test: {
    projects: [
      {
        extends: true,
        test: {
          // Pure modules (the formatter): no API, no DOM.
          name: "unit",
          include: ["test/**/*.test.ts"],
          environment: "node",
        },
      },
      {
        extends: true,
        test: {
          name: "components",
          include: ["test/**/*.test.tsx"],
          environment: "happy-dom",
          globalSetup: ["test/global-setup.ts"],
          setupFiles: ["test/setup.ts"],
          // Safety nets for a hang, not expected durations (a loaded 2-core machine transforms
          // each lazily loaded page on first use); test/setup.ts gives findBy*/waitFor the same.
          hookTimeout: 300_000,
          testTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          include: ["e2e/**/*.test.ts"],
          environment: "node",
          hookTimeout: 300_000,
          testTimeout: 180_000,
        },
      },
    ],
  },
});
