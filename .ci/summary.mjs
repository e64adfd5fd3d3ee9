// Sums the vitest JSON reports every workspace wrote during `npm test` and prints one closing
// line ("Tests: N passed, N failed, N skipped") for whoever reads CI's output. Turbo runs the
// tests with --continue, so every workspace reports even when one fails; a workspace with a test
// script and no report (its run crashed, or never started) and a test file that could not run
// (an import error: no test in it failed, the file did) are named above that line and fail the run.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** The workspaces of the root package.json ("apps/*" or a plain folder). */
function workspaces() {
  const { workspaces: patterns = [] } = JSON.parse(readFileSync("package.json", "utf8"));
  return patterns.flatMap((pattern) => {
    if (!pattern.endsWith("/*")) return [pattern];
    const group = pattern.slice(0, -2);
    return existsSync(group) ? readdirSync(group).map((name) => join(group, name)) : [];
  });
}

let passed = 0, failed = 0, skipped = 0, files = 0;
const problems = [];
for (const dir of workspaces()) {
  const manifest = join(dir, "package.json");
  if (!existsSync(manifest)) continue;
  const hasTests = Boolean(JSON.parse(readFileSync(manifest, "utf8")).scripts?.test);
  const report = join(dir, "test-results", "vitest.json");
  if (!existsSync(report)) {
    if (hasTests) problems.push(`${dir}: no test report (its test run did not finish)`);
    continue;
  }
  const r = JSON.parse(readFileSync(report, "utf8"));
  files += 1;
  passed += r.numPassedTests ?? 0;
  failed += r.numFailedTests ?? 0;
  skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  const unrun = (r.testResults ?? []).filter((f) => f.status === "failed" && (f.assertionResults ?? []).every((a) => a.status !== "failed"));
  for (const f of unrun) problems.push(`${dir}: ${f.name} failed to run${f.message ? `: ${f.message.split("\n")[0]}` : ""}`);
}
for (const problem of problems) console.log(problem);
console.log(`(${files} workspace reports)`);
console.log(`Tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || problems.length > 0 || passed === 0 ? 1 : 0);
