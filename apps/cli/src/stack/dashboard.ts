// `npm start` builds what is needed: the dashboard (apps/admin) when it has no build yet or its
// sources changed since, with Vite's API in this process. Skipped when MAI_ADMIN_DIST points
// elsewhere (a deployment that ships its own build) or is "" (no dashboard).
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { ADMIN_ROOT } from "../paths";

const ADMIN_DIST = join(ADMIN_ROOT, "dist");

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** Whether the build is missing or older than the dashboard's sources. */
function dashboardStale(): boolean {
  const index = join(ADMIN_DIST, "index.html");
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  const sources = [join(ADMIN_ROOT, "src"), join(ADMIN_ROOT, "index.html"), join(ADMIN_ROOT, "vite.config.ts")].filter(existsSync);
  return Math.max(...sources.map(newestMtime)) > built;
}

export async function ensureDashboard(say: (line: string) => void): Promise<void> {
  if (!dashboardStale()) return;
  say("Building the dashboard (apps/admin)…");
  const started = performance.now();
  const { build } = await import("vite");
  await build({ root: ADMIN_ROOT, logLevel: "error", build: { outDir: ADMIN_DIST, emptyOutDir: true } });
  say(`Dashboard built in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
}
