// The tRPC layer: ./init.ts (initTRPC and the one error pipeline), ./procedures.ts (the
// authorization builders). Runners and tests that only need to build callers import from here.
export { createCallerFactory } from "./init";
