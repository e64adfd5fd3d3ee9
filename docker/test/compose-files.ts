// What the compose tests share (docker-files.test.ts, openwebui-compose.test.ts): reading the
// repository's files, docker compose's variable interpolation, and an .env.example filled in as
// its comments say.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseDocument } from "yaml";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const read = (rel: string) => readFileSync(join(ROOT, rel), "utf8");

/** `${NAME}`, `${NAME:-default}`, `${NAME:?error}`, `${NAME:+alternative}` (and the forms without the colon); `$${…}` is escaped. */
export const INTERPOLATION = /(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}/g;

/** What docker compose makes of a value, given the .env variables. */
export function interpolate(value: string, vars: Record<string, string>): string {
  return value
    .replace(INTERPOLATION, (_m, name: string, op: string | undefined, arg: string | undefined) => {
      const set = vars[name];
      const present = set !== undefined && set !== "";
      if (op === ":+") return present ? (arg ?? "") : "";
      if (present) return set;
      if (op === ":?") throw new Error(`${name} is required: ${arg}`);
      return arg ?? "";
    })
    .replace(/\$\$/g, "$");
}

/** The `NAME=value` lines of an .env example. */
export function readEnvExample(rel: string): Record<string, string> {
  return Object.fromEntries(
    read(rel)
      .split("\n")
      .map((line) => /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1] as string, m[2] as string]),
  );
}

export const PLACEHOLDER = "CHANGE-ME";

/** The example with every placeholder replaced by a fresh secret, as its comments say (an encryption key: base64 of 32 bytes; the rest: hex). */
export function fillPlaceholders(example: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(example).map(([name, value]) => [
      name,
      value !== PLACEHOLDER
        ? value
        : name.endsWith("ENCRYPTION_KEY")
          ? randomBytes(32).toString("base64")
          : randomBytes(32).toString("hex"),
    ]),
  );
}

/** A compose file read and parsed (merge keys on): its text, its services as plain objects, and the parser's complaints. */
export function readCompose<S>(rel: string): {
  text: string;
  services: Record<string, S>;
  errors: string[];
  warnings: string[];
} {
  const text = read(rel);
  const doc = parseDocument(text, { merge: true });
  const services = (doc.toJS() as { services?: Record<string, S> } | null)?.services ?? {};
  return {
    text,
    services,
    errors: doc.errors.map((e) => e.message),
    warnings: doc.warnings.map((w) => w.message),
  };
}
