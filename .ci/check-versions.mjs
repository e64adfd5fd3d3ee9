// One version of each dependency across the workspaces (conventions.md §2): every workspace that
// names a dependency must name it with the same range as every other.
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";

const manifests = ["package.json"];
for (const group of ["apps", "packages", "tooling"]) {
  if (!existsSync(group)) continue;
  for (const name of readdirSync(group)) if (existsSync(join(group, name, "package.json"))) manifests.push(join(group, name, "package.json"));
}
const seen = new Map(); // dep -> Map(range -> [manifest])
for (const file of manifests) {
  const pkg = JSON.parse(readFileSync(file, "utf8"));
  for (const field of ["dependencies", "devDependencies", "peerDependencies", "optionalDependencies"]) {
    for (const [dep, range] of Object.entries(pkg[field] ?? {})) {
      if (dep.startsWith("@mai/")) continue;
      const ranges = seen.get(dep) ?? new Map();
      ranges.set(range, [...(ranges.get(range) ?? []), file]);
      seen.set(dep, ranges);
    }
  }
}
let bad = 0;
for (const [dep, ranges] of seen) {
  if (ranges.size > 1) {
    bad++;
    console.error(`${dep}: ${[...ranges].map(([r, files]) => `${r} in ${files.join(", ")}`).join("; ")}`);
  }
}
if (bad) {
  console.error(`${bad} dependencies are declared with different versions across workspaces.`);
  process.exit(1);
}
console.log(`one version per dependency: ${seen.size} dependencies across ${manifests.length} manifests`);
