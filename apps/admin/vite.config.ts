// The dashboard is served by the API in production (same origin, session cookie); in development
// Vite proxies /trpc to the API (MAI_API_URL, default http://127.0.0.1:8787).
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [react()],
  server: {
    port: 5173,
    proxy: { "/trpc": { target: process.env.MAI_API_URL ?? "http://127.0.0.1:8787", changeOrigin: false } },
  },
  build: {
    outDir: "dist",
    sourcemap: false,
    chunkSizeWarningLimit: 600,
    // zod (the domain's schemas parse the URL's search params, so the entry needs it) in a chunk of
    // its own: its hash changes with zod, not with our code, so browsers keep it across releases.
    rolldownOptions: { output: { codeSplitting: { groups: [{ name: "zod", test: /[\\/]node_modules[\\/]zod[\\/]/ }] } } },
  },
});
