// What a response may and may not carry, and the search loop that keeps looking after the first
// defect: each round is a fast-check property that fails only on a *new* kind of failure (its
// signature: status, the logged cause's name and code, the tables left changed…), so one defect
// that fails fast cannot hide the others; each kind is shrunk to its own minimal counterexample.
import fc from "fast-check";

// ---------------------------------------------------------------------------------------------
// Leaks

/** 64 hex digits with both digits and letters (a SHA-256 hash; "aaaa…" echoed from input is not). */
const HEX64 = /(?<![0-9a-f])(?=[0-9a-f]{0,63}[0-9])(?=[0-9a-f]{0,63}[a-f])[0-9a-f]{64}(?![0-9a-f])/i;

const LEAKS_5XX: [string, RegExp][] = [
  ["SQL (select)", /select /i],
  ["SQL (insert into)", /insert into/i],
  ["SQL (update)", /update /i],
  ["SQL (where)", / where /i],
  ["a stack frame", /(^|\\n|\n)\s*at [^\n]*(\(|:\d+:\d+)/],
  ["a stack frame", /\bat [\w.<>]+ \([^)]*:\d+:\d+\)/],
  ["a 64-hex token hash", HEX64],
  ["a library message (URI malformed)", /URI malformed/i],
  ["a library message (JSON)", /Unexpected token|in JSON at position|is not valid JSON/i],
  [
    "a driver message",
    /violates|constraint|relation "|column "|syntax error|invalid byte sequence|unsupported Unicode escape|out of range for type/i,
  ],
  ["an engine message (Maximum call stack size exceeded)", /Maximum call stack/i],
];

/** A 4xx may say what is wrong, but never with SQL, a stack or a library's internals. */
const LEAKS_4XX: [string, RegExp][] = [
  ["SQL", /insert into|select [^"]* from /i],
  ["a stack frame", /\bat [\w.<>]+ \([^)]*:\d+:\d+\)/],
  ["a 64-hex token hash", HEX64],
  ["a library message (URI malformed)", /URI malformed/i],
  [
    "a driver message",
    /violates .* constraint|relation "|invalid byte sequence|unsupported Unicode escape|out of range for type/i,
  ],
  ["an engine message (Maximum call stack size exceeded)", /Maximum call stack/i],
];

/** What in an error body should not be there. `sent`: the request's own text (echoing it back is no leak of a hash). */
export function leaksIn(status: number, body: string, sent = ""): string[] {
  const rules = status >= 500 ? LEAKS_5XX : status >= 400 ? LEAKS_4XX : [];
  const hexLeak = () =>
    [...body.matchAll(new RegExp(HEX64.source, "gi"))].some(
      (m) => !sent.toLowerCase().includes(m[0].toLowerCase()),
    );
  return [
    ...new Set(rules.filter(([, re]) => (re === HEX64 ? hexLeak() : re.test(body))).map(([what]) => what)),
  ];
}

/** A client mistake is told in words: tRPC's `message`, Open WebUI's `detail`, our 404's `message`. */
export function hasWords(body: string): boolean {
  if (body.trim() === "") return false;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return /[a-z]{3,}/i.test(body);
  }
  const find = (v: unknown, depth: number): boolean => {
    if (depth > 6 || typeof v !== "object" || v === null) return false;
    for (const [k, child] of Object.entries(v)) {
      if ((k === "message" || k === "detail") && typeof child === "string" && /[a-z]{3,}/i.test(child))
        return true;
      if (find(child, depth + 1)) return true;
    }
    return false;
  };
  return find(parsed, 0);
}

// ---------------------------------------------------------------------------------------------
// Showing values

/** JSON-ish text of a generated value: long strings compressed, bigints, dates, undefined shown. */
export function show(value: unknown, max = 6000): string {
  const text = JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v === "bigint") return `${v}n`;
    if (v === undefined) return "<undefined>";
    if (typeof v === "number" && !Number.isFinite(v)) return `<${v}>`;
    if (typeof v === "number" && Object.is(v, -0)) return "<-0>";
    if (typeof v === "string" && v.length > 80) {
      if (v === v[0]!.repeat(v.length)) return `<${JSON.stringify(v[0])} × ${v.length}>`;
      if (v.length > 3000) return `${v.slice(0, 200)}…<${v.length} chars>`;
    }
    return v;
  });
  if (text === undefined) return "<undefined>";
  return text.length > max ? `${text.slice(0, max)}…<${text.length} chars>` : text;
}

export function clip(text: string, max = 400): string {
  return text.length > max ? `${text.slice(0, max)}…<${text.length} chars>` : text;
}

// ---------------------------------------------------------------------------------------------
// The search

export interface Failure {
  /** Same signature = same defect (as far as the outside can tell). */
  signature: string;
  /** Everything a reader needs: status, body, logged cause, rows left… */
  detail: string;
}

export interface Finding extends Failure {
  culprit: string[];
  subject: string;
  counterexample: string;
  seed: number;
  path: string | undefined;
  numShrinks: number;
}

// ---------------------------------------------------------------------------------------------
// Features: what is notable about a generated value (a NUL at `name`, 2^63 at `amountNano`…). The
// shrunk counterexample's features are a finding's *culprit*; a later failure with the same
// signature whose value shares a feature with a known culprit is the same defect again.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LONE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const DECIMAL = /^\s*[+-]?(\d*\.?\d*)(e[+-]?\d+)?\s*$/i;

/** `organizationIds`: an `…organizationId` naming no organisation is notable (foreign keys bite there). */
export function features(value: unknown, organizationIds: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  const walk = (v: unknown, path: string, depth: number) => {
    if (depth > 40) {
      out.add(`${path}:deep`);
      return;
    }
    if (typeof v === "string") {
      if (v.includes("\u0000")) out.add(`${path}:nul`);
      if (LONE.test(v)) out.add(`${path}:surrogate`);
      if (v.length > 10_000) out.add(`${path}:long`);
      if (/organizationid$/i.test(path) && UUID.test(v) && !organizationIds.has(v))
        out.add(`${path}:not-an-organisation`);
      const m = DECIMAL.exec(v);
      if (m && /\d/.test(v)) {
        if (m[2] || (m[1] ?? "").replace(".", "").length > 15) out.add(`${path}:huge-decimal`);
        if (v.trim().startsWith("-")) out.add(`${path}:negative`);
      }
      if (v.includes("\n") && /^\s*[[{]/.test(v)) {
        for (const line of v.split("\n")) {
          try {
            walk(JSON.parse(line), `${path}>line`, depth + 1);
          } catch {
            /* not JSON */
          }
        }
      }
    } else if (typeof v === "number") {
      if (!Number.isFinite(v)) out.add(`${path}:nonfinite`);
      else {
        if (Object.is(v, -0)) out.add(`${path}:negzero`);
        if (!Number.isInteger(v)) out.add(`${path}:fraction`);
        if (Math.abs(v) > 2 ** 31 - 1) out.add(`${path}:gt-int4`);
        if (Math.abs(v) > Number.MAX_SAFE_INTEGER) out.add(`${path}:unsafe`);
        if (v < 0) out.add(`${path}:negative`);
      }
    } else if (typeof v === "bigint") {
      out.add(`${path}:bigint`);
      if (v >= 2n ** 63n || v < -(2n ** 63n)) out.add(`${path}:gt-int8`);
      if (v < 0n) out.add(`${path}:negative`);
    } else if (v instanceof Date) {
      if (Number.isNaN(v.getTime())) out.add(`${path}:invalid-date`);
    } else if (Array.isArray(v)) {
      if (v.length > 1000) out.add(`${path}:many`);
      for (const item of v.slice(0, 50)) walk(item, `${path}[]`, depth + 1);
    } else if (typeof v === "object" && v !== null) {
      for (const [k, child] of Object.entries(v)) {
        if (
          k === "__proto__" ||
          k === "constructor" ||
          k === "prototype" ||
          k.includes("\u0000") ||
          LONE.test(k) ||
          k === ""
        )
          out.add(`${path}.{key}:hostile-key`);
        walk(child, path ? `${path}.${k}` : k, depth + 1);
      }
    }
  };
  walk(value, "", 0);
  return out;
}

interface HuntOptions {
  numRuns: number;
  rounds: number;
  /** Per round (the search and its shrinking). */
  timeLimitMs: number;
  examples?: unknown[];
  /** The notable features of a value (see features()); without it, failures differ by signature only. */
  features?: (value: unknown) => Set<string>;
  /** A fixed seed (round n uses seed + n), to replay a run; default: random. */
  seed?: number | undefined;
  /** Called before each run (e.g. to restore a fixture a previous run changed). */
  beforeEach?: () => Promise<void>;
}

/**
 * Runs `check` on generated values until `rounds` distinct kinds of failure have been found and
 * shrunk (or a round finds nothing new). Returns the findings; never throws for a failure.
 */
export async function hunt<T>(
  subject: string,
  arbitrary: fc.Arbitrary<T>,
  check: (value: T) => Promise<Failure | null>,
  describe: (value: T) => string,
  options: HuntOptions,
): Promise<Finding[]> {
  const findings: Finding[] = [];
  const isKnown = (failure: Failure, value: T) => {
    const f = options.features?.(value);
    // Same signature and a notable feature in common (a shrunk culprit may carry a feature it does
    // not need, so "all of them" would report one defect many times).
    return findings.some(
      (k) =>
        k.signature === failure.signature &&
        (!f || k.culprit.length === 0 || k.culprit.some((c) => f.has(c))),
    );
  };
  for (let round = 0; round < options.rounds; round++) {
    let last: Failure | null = null;
    const property = fc.asyncProperty(arbitrary, async (value) => {
      await options.beforeEach?.();
      const failure = await check(value);
      if (failure && !isKnown(failure, value)) {
        last = failure;
        return false;
      }
      return true;
    });
    const details = await fc.check(property, {
      numRuns: options.numRuns,
      ...(options.seed !== undefined ? { seed: options.seed + round } : {}),
      interruptAfterTimeLimit: options.timeLimitMs,
      // The examples are tried in every round (a known failure passes, so the next one is reached).
      ...(options.examples ? { examples: options.examples.map((e) => [e] as [T]) } : {}),
    });
    if (!details.failed || !last || !details.counterexample) break;
    const failure: Failure = last;
    findings.push({
      ...failure,
      culprit: [...(options.features?.(details.counterexample[0]) ?? [])].sort(),
      subject,
      counterexample: describe(details.counterexample[0]),
      seed: details.seed,
      path: details.counterexamplePath ?? undefined,
      numShrinks: details.numShrinks,
    });
  }
  return findings;
}

export function formatFindings(findings: readonly Finding[]): string {
  return findings
    .map(
      (f, i) =>
        `#${i + 1} ${f.subject}: ${f.signature}${f.culprit.length ? `\n   culprit: ${f.culprit.join(", ")}` : ""}\n   counterexample (after ${f.numShrinks} shrinks; seed ${f.seed}, path ${f.path ?? "-"}):\n   ${f.counterexample}\n   ${f.detail.replaceAll("\n", "\n   ")}`,
    )
    .join("\n\n");
}
