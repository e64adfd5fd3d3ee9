import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [react()],
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: "components",
          include: ["test/**/*.test.tsx"],
          environment: "happy-dom",
          globalSetup: ["test/global-setup.ts"],
          setupFiles: ["test/setup.ts"],
          hookTimeout: 60_000,
          testTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          include: ["e2e/**/*.test.ts"],
          environment: "node",
          hookTimeout: 240_000,
          testTimeout: 180_000,
        },
      },
    ],
  },
});
