// Why: `npm run simulator -w @mai/openrouter -- --port 4010` starts a standalone simulator for
// demos and for running the proxy by hand. It prints the base URL and the (fake) fixture keys.
import { parseArgs } from "node:util";
import { startSimulator } from "./index";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "4010" },
    host: { type: "string", default: "127.0.0.1" },
    faults: { type: "string" },
    credits: { type: "string" },
    "generation-delay": { type: "string" },
    "max-ledger": { type: "string" },
    quiet: { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});

if (values.help) {
  console.log(`Usage: npm run simulator -w @mai/openrouter -- [--port 4010] [--host 127.0.0.1]
  [--faults "latency=300,tps=40"] [--credits 1000] [--generation-delay 500] [--max-ledger N] [--quiet]`);
  process.exit(0);
}

const sim = await startSimulator({
  port: Number(values.port),
  host: values.host,
  faults: values.faults ?? null,
  ...(values.credits === undefined ? {} : { credits: values.credits }),
  ...(values["max-ledger"] === undefined ? {} : { maxLedgerEntries: Number(values["max-ledger"]) }),
  ...(values["generation-delay"] === undefined
    ? {}
    : { generationDelayMs: Number(values["generation-delay"]) }),
});

// The first line is machine-readable (the benchmark reads it); the rest is for people.
console.log(`listening ${sim.url}`);
if (!values.quiet) {
  console.log(`OpenRouter simulator
  base URL        ${sim.url}
  API key         ${sim.apiKey}
  management key  ${sim.managementKey}
  ledger          GET ${sim.origin}/__sim/ledger
  faults          PUT ${sim.origin}/__sim/faults  (or header X-Sim-Faults, or model suffix @sim:...)`);
}

const stop = (): void => {
  sim.close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error("The simulator did not close cleanly:", error);
      process.exit(1);
    },
  );
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
