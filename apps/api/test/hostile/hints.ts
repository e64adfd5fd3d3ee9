// Field-name hints: values that take a generated input past validation and into the service code
// (a key the simulator knows, the provisioning key, a cursor this API could have issued, a usage
// batch in the line format…), each mixed with hostile variants. The generic zod walk still runs for
// every field; a hint only adds weight to values that reach deeper.
import fc from "fast-check";
import { fakeOpenRouterKey } from "@mai/db/testing";
import { externalUserId, maskKey } from "@mai/domain";
import type { Harness } from "../harness";
import type { ArbitraryHints, FieldHint } from "./zod-arbitrary";
import { hostileBigints, hostileJson, hostileNumbers, hostileStrings, deepValue } from "./zod-arbitrary";
import { PASSWORD, type World } from "./world";

const hex = (n: number) =>
  fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: n, maxLength: n });
const freshKey = hex(16).map((seed) => fakeOpenRouterKey(seed));

const TIME_ZONES = [
  "Europe/Warsaw",
  "UTC",
  "Etc/GMT+12",
  "Etc/GMT-14",
  "Pacific/Kiritimati",
  "America/Argentina/ComodRivadavia",
  "EST5EDT",
  "Mars/Olympus",
  "+14:00",
  "localtime",
  "posix/Europe/Warsaw",
  "../../../etc/passwd",
  "Europe/Warsaw\u0000",
  "\ud800",
];

const ISO_TIMES = [
  "2026-03-02T10:00:00.000Z",
  "1970-01-01T00:00:00.000Z",
  "0000-01-01T00:00:00.000Z",
  "+275760-09-13T00:00:00.000Z",
  "-271821-04-20T00:00:00.000Z",
  "9999-12-31T23:59:59.999Z",
  "2026-02-30T10:00:00.000Z",
  "2026-03-02",
  "not a date",
  "",
];

export function worldHints(h: Harness, w: World): ArbitraryHints {
  const uuids = [
    w.orgA.id,
    w.orgB.id,
    w.member.id,
    w.member2.id,
    w.orgA.admin.id,
    w.orgB.admin.id,
    w.provider.id,
    w.loginUser.id,
    ...w.spareTokenIds,
  ];
  const emails = [
    w.member.email,
    w.orgA.admin.email,
    w.orgB.admin.email,
    w.provider.email,
    w.loginUser.email,
  ];
  const knownKeys = [...w.freeSimKeys, w.orgA.key, w.orgB.key];
  const anyKey: FieldHint = {
    valid: fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...knownKeys) },
      { weight: 2, arbitrary: freshKey },
      { weight: 1, arbitrary: fc.constantFrom(h.sim.managementKey, h.sim.apiKey, maskKey(w.orgA.key)) },
    ),
    hostile: fc.constantFrom(
      `sk-or-v1-${"a".repeat(63)}\u0000`,
      `sk-or-v1-${"a".repeat(63)}\ud800`,
      "sk-or-v1-\ud800",
      `sk-or-v1-${"0".repeat(300)}`,
      ` ${w.orgA.key} `,
      w.orgA.key.toUpperCase(),
    ),
  };
  const uuid = fc.constantFrom(...uuids);
  const iso = fc.constantFrom(...ISO_TIMES);

  // One usage event as the proxy writes it, a hostile field now and then (one in ~15 per field:
  // the whole batch is refused when any field is invalid, so most must be valid).
  const ev = <A, B>(valid: fc.Arbitrary<A>, hostile: fc.Arbitrary<B>) =>
    fc.oneof<[fc.WeightedArbitrary<A>, fc.WeightedArbitrary<B>]>(
      { withCrossShrink: true },
      { weight: 15, arbitrary: valid },
      { weight: 1, arbitrary: hostile },
    );
  const hostileCount = fc.constantFrom(...hostileNumbers, 2 ** 31 - 1);
  const validCount = fc.nat({ max: 10_000 });
  const event = fc
    .record({
      generationId: ev(
        fc.oneof(
          fc.uuid().map((u) => `gen-${u}`),
          fc.constantFrom(...w.generationIds),
        ),
        fc.constantFrom(...hostileStrings),
      ),
      organizationId: ev(fc.constant(w.orgA.id), uuid),
      user: fc.constantFrom(w.member, w.orgA.admin, w.orgB.admin),
      externalUserId: ev(fc.constant(null), fc.constantFrom(...hostileStrings)),
      model: ev(
        fc.constantFrom("openai/gpt-4o-mini", "anthropic/claude-3.5-sonnet"),
        fc.constantFrom(...hostileStrings),
      ),
      provider: ev(fc.constantFrom("OpenAI", null), fc.constantFrom(...hostileStrings)),
      promptTokens: ev(validCount, hostileCount),
      completionTokens: ev(validCount, hostileCount),
      reasoningTokens: ev(fc.option(validCount, { nil: undefined }), hostileCount),
      cachedTokens: ev(fc.option(validCount, { nil: undefined }), hostileCount),
      rawCostNano: ev(
        fc.bigInt({ min: 0n, max: 10n ** 12n }).map(String),
        fc.constantFrom(...hostileBigints.map(String), "1e3", "0x10", ""),
      ),
      markupBp: ev(
        fc.constantFrom(10_000, 13_000, 25_000),
        fc.constantFrom(...hostileNumbers, 2 ** 31 - 1, 1_000_000_000),
      ),
      status: ev(fc.constantFrom("ok", "error", "aborted", "incomplete"), fc.constantFrom(...hostileStrings)),
      streamed: fc.boolean(),
      latencyMs: ev(fc.option(validCount), hostileCount),
      ttfbMs: ev(fc.option(validCount), hostileCount),
      occurredAt: ev(fc.constant(new Date().toISOString()), iso),
      release: ev(
        fc.option(
          fc.record({
            period: fc.constant(new Date().toISOString().slice(0, 7)),
            nano: fc.bigInt({ min: 0n, max: 10n ** 9n }).map(String),
          }),
        ),
        fc.record({
          period: fc.stringMatching(/^\d{4}-\d{2}$/),
          nano: fc.constantFrom(...hostileBigints.map(String)),
        }),
      ),
    })
    .map(({ user, externalUserId: ext, ...e }) =>
      JSON.stringify({
        ...e,
        userId: user.id,
        externalUserId: ext ?? externalUserId(String(e.organizationId), user.id),
      }),
    );
  const ndjson: FieldHint = {
    kind: "string",
    valid: fc.array(event, { minLength: 1, maxLength: 4 }).map((lines) => lines.join("\n") + "\n"),
    hostile: fc.constantFrom(
      "{}\n",
      "[]\n",
      "null\n",
      JSON.stringify(deepValue(3000, "array")),
      '{"generationId":"x"}\n'.repeat(5_001),
      "\u0000\n",
      '{"generationId":"\ud800"}\n',
    ),
  };

  // A cursor shaped like the ones usage.events returns, around hostile parts.
  const encodeCursor = ([t, g]: [string, string]) => Buffer.from(`${t}|${g}`, "utf8").toString("base64url");
  const cursor: FieldHint = {
    kind: "string",
    valid: fc
      .tuple(
        fc.constantFrom(new Date().toISOString().replace("Z", "000Z"), "2026-03-02T10:00:00.000000Z"),
        fc.constantFrom(...w.generationIds),
      )
      .map(encodeCursor),
    hostile: fc
      .tuple(
        fc.constantFrom(
          new Date().toISOString().replace("Z", "000Z"),
          "0000-01-01T00:00:00.000000Z",
          "9999-12-31T23:59:59.999999Z",
          "2026-02-30T10:00:00.000000Z",
          "1000-01-01T00:00:00.000000Z",
        ),
        fc.oneof(fc.constantFrom(...w.generationIds), fc.constantFrom(...hostileStrings)),
      )
      .map(encodeCursor),
  };

  /** Valid values of a field and hostile ones; a valid text with a NUL or a lone surrogate is hostile too. */
  const mix = <A, B>(
    valid: fc.Arbitrary<A>,
    hostile: fc.Arbitrary<B>,
    kind: string | null = "string",
  ): FieldHint => ({
    ...(kind ? { kind } : {}),
    valid,
    hostile: fc.oneof(
      { weight: 2, arbitrary: hostile },
      { weight: 1, arbitrary: valid.map((v): unknown => (typeof v === "string" ? `${v}\u0000` : v)) },
      { weight: 1, arbitrary: valid.map((v): unknown => (typeof v === "string" ? `\ud800${v}` : v)) },
    ),
  });

  const byName: Record<string, FieldHint> = {
    key: anyKey,
    provisioningKey: mix(
      fc.constantFrom(h.sim.managementKey, maskKey(h.sim.managementKey), null, ""),
      fc.oneof(anyKey.valid, anyKey.hostile, fc.constant(h.sim.apiKey)),
    ),
    password: mix(fc.constant(PASSWORD), fc.constantFrom(`${PASSWORD}\u0000`, "\ud800", "x".repeat(1024))),
    ndjson,
    cursor,
    billingTimeZone: mix(
      fc.constantFrom("Europe/Warsaw", "UTC", "Pacific/Kiritimati", "Etc/GMT+12"),
      fc.constantFrom(...TIME_ZONES),
    ),
    currency: mix(fc.constantFrom("PLN", "EUR", "usd"), fc.constantFrom("XXX", "ZZZ", "US$", "\u0000AB")),
    action: mix(
      fc.constantFrom("org_sync.*", "*", "organization.created", "token.created"),
      fc.constantFrom("%", "_", "\\", "a*b*", "org_sync.%", "\u0000*", "\ud800*"),
    ),
    model: mix(
      fc.constantFrom("openai/gpt-4o-mini", "anthropic/claude-3.5-sonnet"),
      fc.constantFrom("%", "_", "\\", "a".repeat(300), "\u0000", "\ud800"),
    ),
    markup: mix(
      fc.constantFrom("1.3", 1.3, "2", 100, "1.0001", " 1.3 ", "100"),
      fc.constantFrom(
        "1e18",
        "9223372037",
        "92233720368547758.08",
        1e308,
        "1e-30",
        100.00001,
        2 ** 53 + 1,
        "0",
        "1e999999999",
        1e-7,
      ),
      null,
    ),
    defaultMarkup: mix(
      fc.constantFrom("1.3", 1.3, "2", 100),
      fc.constantFrom("1e18", "9223372037", 1e308, "1e-30", "0"),
      null,
    ),
    monthlyLimitUsd: mix(
      fc.constantFrom("1000", "0", 12.5, "0.000000001", "9223372036.854775807", 1e9, "1e3"),
      fc.constantFrom(
        "9223372036.854775808",
        "99999999999999999999",
        "1e30",
        1e19,
        1e308,
        "-1",
        "1e-30",
        9.3e9,
        2 ** 53 + 1,
        "0.0000000001",
      ),
      null,
    ),
    defaultMonthlyLimitUsd: mix(
      fc.constantFrom("1000", "0", 12.5, "9223372036.854775807"),
      fc.constantFrom("9223372036.854775808", "99999999999999999999", "1e30", 1e19, 1e308, 9.3e9),
      null,
    ),
    name: mix(
      fc.string({ minLength: 1, maxLength: 30 }).map((n) => `${n}x`),
      fc.constantFrom(
        w.orgA.name,
        `${w.orgA.name} `,
        w.orgA.name.toUpperCase(),
        "\u0000",
        "x\u0000",
        "\ud800",
        "x".repeat(200),
      ),
    ),
    email: mix(
      fc.oneof(
        fc.constantFrom(...emails),
        fc.uuid().map((u) => `new-${u.slice(0, 8)}@hostile.example`),
      ),
      fc.constantFrom(
        emails[0]!.toUpperCase(),
        ` ${emails[1]!} `,
        `${emails[0]!}\u0000`,
        "\u0000\u0000\u0000",
        "a\ud800@x.example",
        `${"a".repeat(300)}@x.example`,
      ),
    ),
    organizationId: mix(fc.constantFrom(w.orgA.id, w.orgB.id), fc.oneof(uuid, fc.uuid())),
    autoJoinOrganizationId: mix(fc.constantFrom(w.orgA.id, w.orgB.id), fc.oneof(uuid, fc.uuid())),
    userId: mix(
      fc.constantFrom(w.member.id, w.member2.id, w.orgA.admin.id, w.orgB.admin.id, w.loginUser.id),
      fc.oneof(uuid, fc.uuid()),
    ),
    token: mix(
      fc.constantFrom(w.tokens.member, w.tokens.adminA),
      fc.constantFrom(`${w.tokens.member}\u0000`, "mai_\ud800", "x"),
    ),
    period: mix(
      fc.constant(new Date().toISOString().slice(0, 7)),
      fc.constantFrom("0000-00", "9999-99", "2026-13", "2026-00"),
    ),
    month: mix(
      fc.constant(new Date().toISOString().slice(0, 7)),
      fc.constantFrom("0000-01", "9999-12", "1969-12", "2026-02"),
    ),
    from: mix(
      fc.constant(new Date().toISOString().slice(0, 10)),
      fc.constantFrom("0000-01-01", "9999-12-31", "2026-02-30", "2026-99-99", "1969-12-31", "0000-00-00"),
    ),
    to: mix(
      fc.constant(new Date().toISOString().slice(0, 10)),
      fc.constantFrom("0000-01-01", "9999-12-31", "2026-02-30", "2026-99-99", "0000-00-00"),
    ),
    amountNano: mix(fc.constantFrom(0n, 1n, 1_000_000_000n), fc.constantFrom(...hostileBigints), "bigint"),
    preferNano: mix(fc.constantFrom(0n, 1n, 10n ** 12n), fc.constantFrom(...hostileBigints), "bigint"),
    reservedNano: mix(fc.constantFrom(0n, 1n, 10n ** 9n), fc.constantFrom(...hostileBigints), "bigint"),
  };

  return {
    uuids,
    emails,
    field(path) {
      const last = path[path.length - 1];
      const parent = path[path.length - 2];
      if (last === "[]" && parent === "OPENAI_API_BASE_URLS") {
        return mix(
          fc.constantFrom(h.sim.url, `${h.sim.url}/`, "https://openrouter.ai/api/v1"),
          fc.constantFrom(
            "https://openrouter.ai.evil.example/api/v1",
            "http://[::1/",
            "https://%E0%A4%A",
            "https://a\u0000b",
            "\ud800",
            `${h.sim.url}\u0000`,
          ),
        );
      }
      if (last === "[]" && parent === "OPENAI_API_KEYS")
        return mix(fc.oneof(anyKey.valid, fc.constant("")), anyKey.hostile);
      if (last === "{extra}" || last === "{value}") {
        return mix(
          fc.constantFrom({ enable: false }, { enable: true }, "dark", 1, null),
          fc.oneof(hostileJson, fc.constantFrom(deepValue(100, "object"), { enable: "no" })),
        );
      }
      return last === undefined ? undefined : byName[last];
    },
  };
}
