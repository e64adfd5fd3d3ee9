// Summarise a V8 .cpuprofile (from `--prof DIR` of bench/proxy.ts, or `node --cpu-prof`): self time
// grouped by package / area and the top functions.
//   tsx bench/profile-summary.ts <file.cpuprofile> [--top 25] [--callers writev]
// --callers NAME: the call stacks (innermost first) under which functions named NAME spent their self time.
// --proxy: also split the mAI proxy's busy time by what the code was doing (heuristic, see PROXY_CATEGORIES).
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: "string", default: "25" }, callers: { type: "string" }, proxy: { type: "boolean", default: false } } });
const file = positionals[0];
if (!file) {
  console.error("usage: tsx bench/profile-summary.ts <file.cpuprofile> [--top 25]");
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

/** Where a frame's code lives: a package under node_modules, a workspace source folder, or Node itself. */
function area(url: string, name: string): string {
  if (!url) return name.startsWith("(") ? name : "(native / V8 builtins)";
  if (url.startsWith("node:")) return url.replace(/^node:internal\//, "node:").split("/").slice(0, 2).join("/");
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const ws = /\/(apps|packages)\/([^/]+)\/(src|bench|test)\/(.*)$/.exec(url);
  if (ws) return `${ws[1]}/${ws[2]}/${ws[3]}/${ws[4]!.split("/")[0]}`;
  return url;
}

const total = [...self.values()].reduce((a, b) => a + b, 0);
const areas = new Map<string, number>();
const fns = new Map<string, number>();
for (const [id, us] of self) {
  const n = byId.get(id)!;
  const a = area(n.callFrame.url, n.callFrame.functionName);
  areas.set(a, (areas.get(a) ?? 0) + us);
  const fn = `${n.callFrame.functionName || "(anonymous)"} ${n.callFrame.url.replace(/^.*node_modules\//, "").replace(/^.*\/work\/main\//, "")}:${n.callFrame.lineNumber + 1}`;
  fns.set(fn, (fns.get(fn) ?? 0) + us);
}
const idle = areas.get("(idle)") ?? 0;
const busy = total - idle;
const pct = (us: number) => `${((us / busy) * 100).toFixed(1).padStart(5)} %`;
const top = Number(values.top);
console.log(`${file}: ${(total / 1e6).toFixed(1)} s profiled, ${(busy / 1e6).toFixed(1)} s busy (percentages are of busy time)`);
console.log("\nself time by area:");
for (const [a, us] of [...areas].filter(([a]) => a !== "(idle)").sort((x, y) => y[1] - x[1]).slice(0, top)) console.log(`  ${pct(us)}  ${a}`);
console.log("\nself time by function:");
for (const [fn, us] of [...fns].filter(([f]) => !f.startsWith("(idle)")).sort((x, y) => y[1] - x[1]).slice(0, top)) console.log(`  ${pct(us)}  ${fn}`);

if (values.callers) {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stacks = new Map<string, number>();
  for (const [id, us] of self) {
    if (byId.get(id)!.callFrame.functionName !== values.callers) continue;
    const frames: string[] = [];
    for (let p = parent.get(id); p !== undefined && frames.length < 12; p = parent.get(p)) {
      const f = byId.get(p)!.callFrame;
      frames.push(`${f.functionName || "(anon)"}@${f.url.replace(/^.*node_modules\//, "").replace(/^.*\/work\/main\//, "").replace(/^node:internal\//, "")}:${f.lineNumber + 1}`);
    }
    const key = frames.join(" < ");
    stacks.set(key, (stacks.get(key) ?? 0) + us);
  }
  console.log(`\nstacks under ${values.callers}:`);
  for (const [stack, us] of [...stacks].sort((x, y) => y[1] - x[1]).slice(0, top)) console.log(`  ${pct(us)}  ${stack}`);
}

// A sample belongs to the first category (in this order) that any frame of its stack matches. The
// stack of an async continuation starts at the event that resumed it, so e.g. parsing the API's
// responses (undici's parser, shared with the upstream) counts as "upstream / undici".
const PROXY_CATEGORIES: [string, RegExp][] = [
  ["GC", /^\(garbage collector\)@/],
  ["API calls: tRPC client, global fetch, superjson, AbortSignal.timeout (src/api-client.ts)", /@trpc\/client|@trpc\/server|deps\/undici|superjson|api-client\.ts|^writeIterable@|abort_controller|domexception/],
  ["reservations / usage recorder bookkeeping", /reservations\.ts|metering\//],
  ["SSE observer (@mai/openrouter chat-stream)", /chat-stream\.ts/],
  ["metrics (prom-client)", /prom-client|metrics\.ts/],
  ["upstream request and response bodies (undici Pool)", /undici\/lib/],
  ["serving the client (node:http server, response writes)", /_http_server|_http_outgoing|_http_incoming|_http_common|connectionCorkNT/],
  ["handler code (src/server.ts, src/handlers, src/http.ts, src/identity.ts)", /apps\/proxy\/src/],
];
if (values.proxy) {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const frameKey = (id: number) => {
    const f = byId.get(id)!.callFrame;
    return `${f.functionName}@${f.url}`;
  };
  const cats = new Map<string, number>();
  for (const [id, us] of self) {
    if (byId.get(id)!.callFrame.functionName === "(idle)") continue;
    const frames: string[] = [];
    for (let p: number | undefined = id; p !== undefined; p = parent.get(p)) frames.push(frameKey(p));
    const cat = PROXY_CATEGORIES.find(([, re]) => frames.some((f) => re.test(f)))?.[0] ?? "other (event loop, streams, timers, module loading at start-up…)";
    cats.set(cat, (cats.get(cat) ?? 0) + us);
  }
  console.log("\nmAI proxy busy time by activity (heuristic):");
  for (const [cat, us] of [...cats].sort((x, y) => y[1] - x[1])) console.log(`  ${pct(us)}  ${cat}`);
}
