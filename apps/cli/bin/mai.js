#!/usr/bin/env node
// The `mai` command: the workspaces ship TypeScript source (no build step), so the CLI runs it
// through tsx's loader, registered here before the entry point is imported.
import { register } from "tsx/esm/api";

register();
await import("../src/main.ts");
