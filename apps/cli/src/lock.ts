// The embedded database (PGlite) lives in one process at a time: the running stack records its pid
// in MAI_DATA_DIR/stack.pid, and the operator commands refuse to open the directory while that
// process is alive (two PGlite instances on one directory would corrupt it).
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const lockFile = (dataDir: string) => join(dataDir, "stack.pid");

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The pid of a live process holding the data directory, or null. */
function holderOf(dataDir: string): number | null {
  if (!existsSync(lockFile(dataDir))) return null;
  const pid = Number(readFileSync(lockFile(dataDir), "utf8").trim());
  return Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid) ? pid : null;
}

/** Take the data directory for this process; throws if another live process holds it. */
export function acquire(dataDir: string): () => void {
  const holder = holderOf(dataDir);
  if (holder !== null) throw new CliError(`The data directory ${dataDir} is in use by process ${holder} (a running \`mai start\` or \`mai demo\`). Stop it first, or use DATABASE_URL.`);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  rmSync(lockFile(dataDir), { force: true }); // a dead holder's leftover
  try {
    // "wx": exclusive create, so of two commands starting at the same instant only one gets it.
    writeFileSync(lockFile(dataDir), `${process.pid}\n`, { mode: 0o600, flag: "wx" });
  } catch {
    throw new CliError(`The data directory ${dataDir} is being opened by another \`mai\` process. Try again in a moment.`);
  }
  return () => rmSync(lockFile(dataDir), { force: true });
}

/** An error whose message is for the operator: printed without a stack, exit code 1. */
export class CliError extends Error {
  override name = "CliError";
}
