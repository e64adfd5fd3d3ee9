// A zod v4 schema → a fast-check arbitrary of *mostly well-shaped* values with *hostile leaves*.
// Why mostly well-shaped: a value that fails validation only ever exercises zod; to reach the
// services, the queries and the database, most leaves must pass the schema, and a few must be the
// values a schema typically lets through but a database, a parser or a recursive walk does not
// (NUL, lone surrogates, 10^5 characters, 2^63, 1e308, -0, decimal text with 30 digits…). Wrong
// types and extra keys appear too, at a low rate, so the validation path is covered as well.
//
// The walk reads `schema._zod.def` (zod v4's runtime description of a schema). Kinds it does not
// know become arbitrary JSON, so a new kind of schema still gets hostile input rather than none.
import fc from "fast-check";

/** What the caller knows about the world: pools of real ids and keys, and per-field overrides. */
export interface ArbitraryHints {
  /** uuids that exist (organisations, users…): most generated uuids come from here. */
  uuids: readonly string[];
  /** e-mail addresses that exist. */
  emails: readonly string[];
  /**
   * Values for a field, by its path (last element is the field name; "[]" an array element,
   * "{key}"/"{value}" a record's, "{extra}" a loose object's extra key): valid ones that reach
   * deeper than the generic walk would, and hostile ones. Undefined: the generic walk.
   */
  field?: (path: readonly string[]) => FieldHint | undefined;
}

export interface FieldHint {
  valid: fc.Arbitrary<unknown>;
  hostile: fc.Arbitrary<unknown>;
  /** The zod kind the hint is for ("string", "bigint"…); a field of another kind walks generically. */
  kind?: string;
}

/** The kind under optional/nullable/default/pipe wrappers (what the value must be). */
function baseKind(schema: unknown): string {
  let def = defOf(schema);
  for (let i = 0; i < 10; i++) {
    if (def.innerType) def = defOf(def.innerType);
    else if (def.type === "pipe") def = defOf(defOf(def.out).type === "transform" ? def.in : def.out);
    else break;
  }
  return def.type;
}

/** Depth bound for recursive schemas (lazy) and generated JSON. */
const MAX_SCHEMA_DEPTH = 12;

const PG_INT4 = 2 ** 31;
const TWO_63 = 2n ** 63n;

// ---------------------------------------------------------------------------------------------
// Hostile leaves

const LONG = 100_001;
export const hostileStrings: readonly string[] = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "\ud800",
  "x\udfffy",
  "\ud83d",
  "a".repeat(LONG),
  "\u0000".repeat(1000),
  "🙂".repeat(2000),
  "0.0000000001",
  "1e30",
  "1e-30",
  "-1",
  "-0",
  "0",
  "1e308",
  "1e999999999",
  "99999999999999999999",
  "9".repeat(60),
  "9223372036854775808",
  "NaN",
  "Infinity",
  "0x10",
  "1_000",
  "1,5",
  "%E0%A4%A",
  "%",
  "'; drop table users; --",
  "\u202e\u2066",
  "\r\n",
  "${jndi:x}",
  "__proto__",
  "constructor",
  "null",
  "true",
  "[]",
  "{}",
];

export const hostileNumbers: readonly number[] = [
  -1,
  0.5,
  1e308,
  -1e308,
  PG_INT4,
  PG_INT4 - 1,
  2 ** 53 + 1,
  Number.MAX_SAFE_INTEGER,
  -0,
  0,
  Number.MIN_VALUE,
  Number.MAX_VALUE,
  2 ** 63,
  1e21,
  -(2 ** 31) - 1,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
];

export const hostileBigints: readonly bigint[] = [
  -1n,
  0n,
  TWO_63,
  TWO_63 - 1n,
  -TWO_63 - 1n,
  10n ** 30n,
  2n ** 64n,
  10n ** 100n,
];

/** Decimal-money text: what a form sends for "USD" and "markup" fields. */
const moneyStrings: readonly string[] = [
  "0.0000000001",
  "0.000000001",
  "0.0000000005",
  "1e30",
  "1e-30",
  "99999999999999999999",
  "9223372036.854775807",
  "9223372036.854775808",
  "9223372037",
  "92233720368547758.08",
  "1e18",
  "1.00005",
  "100.0001",
  "0",
  "-0",
  "-1",
  " 1.3 ",
  "1.3",
  "1000",
  "12.5",
  "1e2",
  ".5",
  "5.",
  "+1",
  "1e+400",
  "9".repeat(40),
];

const HOSTILE_KEYS = [
  "__proto__",
  "constructor",
  "prototype",
  "",
  "\u0000",
  "\ud800",
  "a".repeat(1000),
  "toString",
  "hasOwnProperty",
  "0",
];

/** Deeply nested arrays/objects (bounded so the *client's* serialiser survives it). */
export function deepValue(depth: number, kind: "array" | "object"): unknown {
  let v: unknown = "leaf";
  for (let i = 0; i < depth; i++) v = kind === "array" ? [v] : { a: v };
  return v;
}

// ---------------------------------------------------------------------------------------------
// Arbitrary JSON (what an unknown/any schema, a wrong type or an unknown kind gets)

const hostileString = fc.constantFrom(...hostileStrings);
const plainString = fc.string({ maxLength: 24, unit: "grapheme" });
const anyString = fc.oneof(
  { weight: 3, arbitrary: plainString },
  { weight: 2, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.constantFrom(...moneyStrings) },
);

const anyNumber = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(...hostileNumbers));
const anyBigint = fc.oneof(fc.bigInt(), fc.constantFrom(...hostileBigints));

/** Arbitrary superjson-representable values, hostile ones included. */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    { weight: 4, arbitrary: fc.oneof(anyString, anyNumber, fc.boolean(), fc.constant(null)) },
    { weight: 1, arbitrary: anyBigint },
    { weight: 1, arbitrary: fc.constant(new Date("2026-03-02T10:00:00.000Z")) },
    { weight: 1, arbitrary: fc.array(tie("value"), { maxLength: 4 }) },
    {
      weight: 1,
      arbitrary: fc.dictionary(
        fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom(...HOSTILE_KEYS)),
        tie("value"),
        { maxKeys: 4 },
      ),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        deepValue(200, "array"),
        deepValue(200, "object"),
        deepValue(1500, "object"),
      ),
    },
  ),
})).value;

// ---------------------------------------------------------------------------------------------
// The walk
//
// Two modes. *Mixed*: every leaf is valid most of the time, hostile or of a wrong type now and
// then. *Single*: exactly one leaf (chosen by its index in the walk) is hostile and every other leaf
// is valid, so a defect behind one field is not hidden by a validation error in another. A
// procedure's input is drawn from both.

interface Def {
  type: string;
  [k: string]: unknown;
}
interface ZodLike {
  _zod: { def: Def };
}

function defOf(schema: unknown): Def {
  return (schema as ZodLike)._zod.def;
}

interface CheckDef {
  check: string;
  [k: string]: unknown;
}
function checksOf(def: Def): CheckDef[] {
  const checks = (def.checks as { _zod: { def: CheckDef } }[] | undefined) ?? [];
  return checks.map((c) => c._zod.def);
}

interface Walk {
  hints: ArbitraryHints;
  /** "mixed", or the index of the one hostile leaf. */
  mode: "mixed" | number;
  /** Leaves numbered in walk order (the same order in every walk of one schema). */
  next: number;
}

// Every leaf goes through zod before any service runs, so one wrong type anywhere hides every
// hostile value elsewhere: in mixed mode most leaves must be valid for a value to reach the
// database.
const W_VALID = 24;
const W_HOSTILE = 3;
const W_WRONG = 1;

/** A leaf: valid, hostile (a value of the right type a database or parser may refuse) or wrong. */
function leaf(
  w: Walk,
  valid: fc.Arbitrary<unknown>,
  hostile: fc.Arbitrary<unknown>,
  wrong: fc.Arbitrary<unknown> = hostileJson,
): fc.Arbitrary<unknown> {
  const index = w.next++;
  if (w.mode === "mixed") {
    // Cross-shrinking lets a hostile leaf that is not needed for a failure shrink back to a valid
    // value, so a counterexample keeps only the leaves that matter.
    return fc.oneof(
      { withCrossShrink: true },
      { weight: W_VALID, arbitrary: valid },
      { weight: W_HOSTILE, arbitrary: hostile },
      { weight: W_WRONG, arbitrary: wrong },
    );
  }
  if (w.mode !== index) return valid;
  return fc.oneof({ weight: 6, arbitrary: hostile }, { weight: 1, arbitrary: wrong });
}

/** Hostile text: NUL and lone surrogates first (what PostgreSQL text refuses), then the rest. */
function hostileText(sized: fc.Arbitrary<string>, within: (s: string) => boolean): fc.Arbitrary<unknown> {
  const hostileWithin = hostileStrings.filter((s) => within(s));
  return fc.oneof(
    { weight: 3, arbitrary: sized.map((s) => `${s}\u0000`) },
    { weight: 2, arbitrary: sized.map((s) => `${s}\ud800`) },
    { weight: 1, arbitrary: sized.map((s) => `\udfff${s}`) },
    { weight: 2, arbitrary: hostileWithin.length ? fc.constantFrom(...hostileWithin) : hostileString },
    { weight: 1, arbitrary: hostileString },
    { weight: 1, arbitrary: fc.constantFrom(...moneyStrings) },
  );
}

function stringArbitrary(def: Def, w: Walk): fc.Arbitrary<unknown> {
  const hints = w.hints;
  let min = 0;
  let max = Number.POSITIVE_INFINITY;
  const formats: { format: string; pattern?: RegExp }[] = [];
  if (typeof def.format === "string")
    formats.push({ format: def.format, pattern: def.pattern as RegExp | undefined });
  for (const c of checksOf(def)) {
    if (c.check === "min_length") min = Math.max(min, Number(c.minimum));
    else if (c.check === "max_length") max = Math.min(max, Number(c.maximum));
    else if (c.check === "length_equals") min = max = Number(c.length);
    else if (c.check === "string_format")
      formats.push({ format: String(c.format), pattern: c.pattern as RegExp | undefined });
  }
  const within = (s: string) => s.length >= min && s.length <= max;
  let valid: fc.Arbitrary<string>;
  const format = formats[0];
  if (format?.format === "uuid" || format?.format === "guid") {
    valid = fc.oneof(
      { withCrossShrink: true },
      { weight: 4, arbitrary: hints.uuids.length ? fc.constantFrom(...hints.uuids) : fc.uuid() },
      { weight: 1, arbitrary: fc.uuid() },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          "00000000-0000-0000-0000-000000000000",
          "ffffffff-ffff-ffff-ffff-ffffffffffff",
        ),
      },
    );
  } else if (format?.format === "email") {
    // zod's own pattern (stricter than RFC 5322, which fc.emailAddress follows) keeps them valid.
    const matching = format.pattern instanceof RegExp ? fc.stringMatching(format.pattern) : fc.emailAddress();
    valid = fc.oneof(
      { withCrossShrink: true },
      { weight: 2, arbitrary: hints.emails.length ? fc.constantFrom(...hints.emails) : matching },
      { weight: 3, arbitrary: matching.filter((e) => e.length <= 200) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          `${"a".repeat(64)}@${"b".repeat(60)}.example`,
          "x@y.zz",
          "O'Brien@example.com",
        ),
      },
    );
  } else if (format?.pattern instanceof RegExp) {
    valid = fc.stringMatching(format.pattern);
  } else {
    const hi = Math.min(max, Math.max(min, 1) + 30);
    valid = fc.string({ minLength: Math.min(min, hi), maxLength: hi, unit: "grapheme" });
  }
  // Extra formats (e.g. a regex after a trim) are not combined; the filter keeps lengths right.
  const sized = valid.filter(within);
  return leaf(w, sized, hostileText(sized, within));
}

function numberArbitrary(def: Def, w: Walk): fc.Arbitrary<unknown> {
  let min = -Number.MAX_VALUE;
  let max = Number.MAX_VALUE;
  let minExclusive = false;
  let maxExclusive = false;
  let integer = typeof def.format === "string" && def.format !== "float32" && def.format !== "float64";
  for (const c of checksOf(def)) {
    if (c.check === "greater_than") {
      min = Number(c.value);
      minExclusive = !c.inclusive;
    } else if (c.check === "less_than") {
      max = Number(c.value);
      maxExclusive = !c.inclusive;
    } else if (c.check === "number_format") {
      if (c.format !== "float32" && c.format !== "float64") integer = true;
    }
  }
  let valid: fc.Arbitrary<number>;
  if (integer) {
    const lo = Math.max(Math.ceil(minExclusive ? min + 1 : min), Number.MIN_SAFE_INTEGER);
    const hi = Math.min(Math.floor(maxExclusive ? max - 1 : max), Number.MAX_SAFE_INTEGER);
    const smallLo = Math.max(lo, -1000);
    const small = fc.integer({ min: smallLo, max: Math.max(Math.min(hi, 1000), smallLo) });
    valid = fc.oneof(
      small,
      fc.constantFrom(lo, hi),
      fc
        .integer({ min: Math.max(lo, -(2 ** 31)), max: Math.min(hi, 2 ** 31) })
        .filter((n) => n >= lo && n <= hi),
    );
  } else {
    valid = fc
      .oneof(
        fc.double({ min: Math.max(min, -1e6), max: Math.min(max, 1e6), noNaN: true }),
        fc.double({ min, max, noNaN: true, noDefaultInfinity: true }),
        fc.constantFrom(min, max),
      )
      .filter(
        (n) =>
          Number.isFinite(n) && (minExclusive ? n > min : n >= min) && (maxExclusive ? n < max : n <= max),
      );
  }
  return leaf(w, valid, fc.constantFrom(...hostileNumbers));
}

function bigintArbitrary(def: Def, w: Walk): fc.Arbitrary<unknown> {
  let min: bigint | undefined;
  let max: bigint | undefined;
  for (const c of checksOf(def)) {
    if (c.check === "greater_than") min = BigInt(c.value as bigint) + (c.inclusive ? 0n : 1n);
    else if (c.check === "less_than") max = BigInt(c.value as bigint) - (c.inclusive ? 0n : 1n);
  }
  const lo = min ?? -(10n ** 15n);
  const hi = max ?? 10n ** 15n;
  const valid = fc.oneof(
    fc
      .bigInt({ min: lo > 0n ? lo : 0n, max: hi < 10n ** 12n ? hi : 10n ** 12n })
      .filter((n) => n >= lo && n <= hi),
    fc.constantFrom(...hostileBigints.filter((n) => n >= lo && n <= hi), lo),
  );
  return leaf(w, valid, fc.constantFrom(...hostileBigints));
}

function walk(schema: unknown, w: Walk, path: readonly string[], depth: number): fc.Arbitrary<unknown> {
  const hint = w.hints.field?.(path);
  const override = hint && (!hint.kind || hint.kind === baseKind(schema)) ? hint : undefined;
  if (!override) return genericArbitrary(schema, w, path, depth);
  // A field hint replaces the generic walk of this field: its valid and hostile parts are one leaf.
  if (w.mode === "mixed") {
    const generic = genericArbitrary(schema, w, path, depth);
    return fc.oneof(
      { withCrossShrink: true },
      { weight: 1, arbitrary: generic },
      { weight: 3, arbitrary: leaf(w, override.valid, override.hostile) },
    );
  }
  return leaf(w, override.valid, override.hostile);
}

function genericArbitrary(
  schema: unknown,
  w: Walk,
  path: readonly string[],
  depth: number,
): fc.Arbitrary<unknown> {
  if (depth > MAX_SCHEMA_DEPTH) return leaf(w, fc.constant(undefined), hostileJson);
  const def = defOf(schema);
  const inner = (s: unknown, p: readonly string[] = path) => walk(s, w, p, depth + 1);
  /** In single mode: does the part walked since `start` hold the one hostile leaf? */
  const holdsTarget = (start: number) => typeof w.mode === "number" && w.mode >= start && w.mode < w.next;
  switch (def.type) {
    case "string":
      return stringArbitrary(def, w);
    case "number":
    case "int":
      return numberArbitrary(def, w);
    case "bigint":
      return bigintArbitrary(def, w);
    case "boolean":
      return leaf(w, fc.boolean(), fc.constantFrom("true", 1, 0, "false"));
    case "date":
      return leaf(
        w,
        fc.date({
          min: new Date("1970-01-01T00:00:00Z"),
          max: new Date("2100-01-01T00:00:00Z"),
          noInvalidDate: true,
        }),
        fc.constantFrom(new Date(-8.64e15), new Date(8.64e15), new Date(0), "2026-02-30", 1e308),
      );
    case "null":
      return leaf(w, fc.constant(null), fc.constantFrom(undefined, 0, ""));
    case "undefined":
    case "void":
      return leaf(w, fc.constant(undefined), fc.constantFrom(null, 0, ""));
    case "nan":
      return leaf(w, fc.constant(Number.NaN), fc.constantFrom(0, "NaN"));
    case "literal": {
      const values = def.values as unknown[];
      return leaf(
        w,
        fc.constantFrom(...values),
        fc.constantFrom("", "\u0000", ...values.map((v) => String(v).toUpperCase())),
      );
    }
    case "enum": {
      const values = Object.values(def.entries as Record<string, unknown>);
      return leaf(
        w,
        fc.constantFrom(...values),
        fc.constantFrom("", "\u0000", "\ud800", "__proto__", ...values.map((v) => `${String(v)} `)),
      );
    }
    case "optional":
    case "default":
    case "prefault": {
      const start = w.next;
      const present = inner(def.innerType);
      if (holdsTarget(start)) return present;
      return fc.oneof(
        { withCrossShrink: true },
        { weight: 1, arbitrary: fc.constant(undefined) },
        { weight: 3, arbitrary: present },
      );
    }
    case "nullable": {
      const start = w.next;
      const present = inner(def.innerType);
      if (holdsTarget(start)) return present;
      return fc.oneof(
        { withCrossShrink: true },
        { weight: 3, arbitrary: present },
        { weight: 1, arbitrary: fc.constant(null) },
      );
    }
    case "catch":
    case "readonly":
    case "nonoptional":
    case "success":
      return inner(def.innerType);
    case "pipe": {
      const out = defOf(def.out);
      // A transform's output is not something a client can send: generate for the input side.
      if (out.type === "transform") return inner(def.in);
      // The output side carries the format (`string().trim().pipe(z.email())`).
      return inner(def.out);
    }
    case "transform":
    case "custom":
    case "any":
    case "unknown":
      return leaf(
        w,
        fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.boolean(), fc.constant(null)),
        hostileJson,
      );
    case "lazy":
      return inner((def.getter as () => unknown)());
    case "union": {
      const options = (def.options as unknown[]).map((o) => {
        const start = w.next;
        const arbitrary = inner(o);
        return { arbitrary, target: holdsTarget(start) };
      });
      const chosen = options.find((o) => o.target);
      return chosen ? chosen.arbitrary : fc.oneof(...options.map((o) => o.arbitrary));
    }
    case "intersection":
      return fc
        .tuple(inner(def.left), inner(def.right), fc.boolean())
        .map(([a, b, first]) => (isPlainObject(a) && isPlainObject(b) ? { ...a, ...b } : first ? a : b));
    case "array": {
      let min = 0;
      let max = 4;
      for (const c of checksOf(def)) {
        if (c.check === "min_length") min = Number(c.minimum);
        else if (c.check === "max_length") max = Math.min(max, Number(c.maximum));
        else if (c.check === "length_equals") min = max = Number(c.length);
      }
      const start = w.next;
      const element = inner(def.element, [...path, "[]"]);
      if (holdsTarget(start)) min = Math.max(min, 1);
      return leaf(
        w,
        fc.array(element, { minLength: min, maxLength: Math.max(min, max) }),
        fc.oneof(
          fc.array(element, { minLength: 50, maxLength: 200 }),
          fc.constant(deepValue(300, "array")),
          fc.constant(Array.from({ length: 20_000 }, (_, i) => i)),
        ),
      );
    }
    case "tuple": {
      const items = (def.items as unknown[]).map((s, i) => inner(s, [...path, String(i)]));
      return leaf(w, fc.tuple(...items), hostileJson);
    }
    case "record": {
      const start = w.next;
      const key = inner(def.keyType, [...path, "{key}"]).filter((k): k is string => typeof k === "string");
      const value = inner(def.valueType, [...path, "{value}"]);
      const minKeys = holdsTarget(start) ? 1 : 0;
      return leaf(
        w,
        fc.dictionary(key, value, { minKeys, maxKeys: 4 }),
        fc.dictionary(fc.oneof(key, fc.constantFrom(...HOSTILE_KEYS)), value, { minKeys: 1, maxKeys: 4 }),
      );
    }
    case "map":
    case "set":
      return leaf(w, fc.constant(undefined), hostileJson);
    case "object": {
      const shape = def.shape as Record<string, unknown>;
      const fields: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, s] of Object.entries(shape)) fields[k] = inner(s, [...path, k]);
      const catchall = def.catchall ? defOf(def.catchall) : undefined;
      const loose = catchall !== undefined && catchall.type !== "never";
      const extraValue = loose ? inner(def.catchall, [...path, "{extra}"]) : hostileJson;
      // Extra keys: a loose object keeps them (they reach the database), a strict one must refuse.
      const extras = leaf(
        w,
        loose
          ? fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), extraValue, { maxKeys: 2 })
          : fc.constant({}),
        fc.dictionary(fc.oneof(fc.constantFrom(...HOSTILE_KEYS), fc.string({ maxLength: 12 })), extraValue, {
          minKeys: 1,
          maxKeys: 3,
        }),
        fc.constant({}),
      );
      const object = fc.tuple(fc.record(fields), extras).map(([fixed, extra]) => {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(extra as Record<string, unknown>)) {
          Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
        }
        for (const [k, v] of Object.entries(fixed)) if (v !== undefined) out[k] = v;
        return out;
      });
      return leaf(w, object, object, hostileJson);
    }
    default:
      return leaf(w, fc.constant(undefined), hostileJson);
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

function merge(parts: unknown[]): unknown {
  let merged: unknown = undefined;
  for (const part of parts) {
    if (isPlainObject(part) && (merged === undefined || isPlainObject(merged)))
      merged = { ...(merged as object | undefined), ...part };
    else if (part !== undefined) merged = part;
  }
  return merged;
}

/**
 * The input of a procedure built with stacked `.input()` calls: tRPC parses each schema and merges
 * the resulting objects, so the generated objects are merged the same way. Half the values are
 * mixed; half have exactly one hostile leaf (each leaf equally likely).
 */
export function procedureInputArbitrary(
  inputs: readonly unknown[],
  hints: ArbitraryHints,
): fc.Arbitrary<unknown> {
  if (inputs.length === 0) {
    // No input declared: mostly none, sometimes garbage (must be ignored or refused, never a 5xx).
    return fc.oneof(
      { withCrossShrink: true },
      { weight: 4, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: hostileJson },
    );
  }
  const build = (mode: "mixed" | number) => {
    const w: Walk = { hints, mode, next: 0 };
    const parts = inputs.map((s) => walk(s, w, [], 0));
    return { arbitrary: fc.tuple(...parts).map(merge), leaves: w.next };
  };
  const mixed = build("mixed");
  // Leaves are counted by a single-mode walk (mixed mode also walks the generic side of hinted fields).
  const leaves = build(-1).leaves;
  const singles = Array.from({ length: leaves }, (_, i) => build(i).arbitrary);
  return fc.oneof(
    { withCrossShrink: true },
    { weight: 1, arbitrary: mixed.arbitrary },
    { weight: 1, arbitrary: singles.length ? fc.oneof(...singles) : mixed.arbitrary },
  );
}
