// Hostile input is normal input: generated requests no well-behaved client would send, on raw TCP
// sockets, against the whole system (the real API on a real database, the OpenRouter simulator,
// three proxies: trusted-gateway headers, gateway JWTs, auto-join). Every request must be answered,
// with a 4xx or a documented 2xx (200, or 204 for a CORS preflight) — never a 5xx, never silence —
// no handler may fail, every usage event a request produced must be recorded, and the proxies must
// still answer /healthz afterwards. fast-check prints the seed and the counterexample of a failure;
// `fc.assert(..., { seed, path })` replays it.
import { createHmac, randomBytes } from "node:crypto";
import { testDrivers } from "@mai/db/testing";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawRequest, type RawResponse } from "./raw-http";
import type { ProxyServer } from "../src/index";
import { startSystem, type System, type TestOrg } from "./system";

const GATEWAY_TOKEN = `owui-gateway-${randomBytes(16).toString("hex")}`;
const JWT_SECRET = `owui-jwt-secret-${randomBytes(16).toString("hex")}`;
const MAX_BODY_BYTES = 256 * 1024;
const MODELS = [
  "openai/gpt-4o-mini",
  "anthropic/claude-sonnet-4",
  "google/gemini-2.5-flash",
  "openai/gpt-4o-mini:free",
  "no/such-model",
];
/** Each property stops starting new runs after this (a run in progress finishes): bounded on a busy machine. */
const TIME_LIMIT_MS = 40_000;

const ENDPOINTS: [string, string][] = [
  ["POST", "/v1/chat/completions"],
  ["POST", "/v1/completions"],
  ["POST", "/api/v1/chat/completions"],
  ["POST", "/api/v1/completions"],
  ["GET", "/v1/models"],
  ["GET", "/api/v1/models"],
  ["GET", "/healthz"],
  ["GET", "/readyz"],
  ["GET", "/metrics"],
  ["OPTIONS", "/v1/chat/completions"],
  ["OPTIONS", "/v1/models"],
  ["GET", "/no/such/route"],
  ["POST", "/v1/chat/completions/extra"],
  ["DELETE", "/v1/models"],
];

const b64 = (value: unknown) =>
  Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");
function signJwt(header: unknown, claims: unknown, secret = JWT_SECRET): string {
  const unsigned = `${b64(header)}.${b64(claims)}`;
  return `${unsigned}.${createHmac("sha256", secret).update(unsigned).digest("base64url")}`;
}

// --- generators ------------------------------------------------------------------------------------

/** Text as raw bytes on the wire (latin1: one byte per character, 0–255). */
const latin1 = (maxLength: number) =>
  fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength });
const printable = (maxLength: number) => fc.string({ unit: "grapheme-ascii", maxLength });

/** Bytes Node's parser accepts in a header value: tab, visible ASCII and space, obs-text (0x80–0xff). */
const fieldValue = (maxLength: number) =>
  fc.string({
    unit: fc
      .oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff }), fc.constant(0x09))
      .map((c) => String.fromCharCode(c)),
    maxLength,
  });
/** Header values the parser lets through (so what is tested is the proxy's own reading of them). */
const headerValue = fc.oneof(
  { weight: 4, arbitrary: printable(40) },
  { weight: 3, arbitrary: fieldValue(40) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "%00",
      "%C5%81ukasz",
      "%ED%A0%80",
      "%",
      "%zz",
      "a%00b",
      "%F0%9F%98%80",
      "%C0%AF",
      "\u00ff\u00fe",
      " x ",
      "",
    ),
  },
  { weight: 1, arbitrary: fc.nat({ max: 40_000 }).map((n) => "v".repeat(n)) },
);
/** Header values the parser refuses: control characters, a line break inside, raw bytes. */
const brokenHeaderValue = fc.oneof(
  fc.constantFrom("a\u0000b", "a\u007fb", "a\rb", "a\nb: c", "\u0001"),
  latin1(40).filter((v) =>
    [...v].some((c) => (c.charCodeAt(0) < 0x20 && c !== "\t") || c.charCodeAt(0) === 0x7f),
  ),
);

function jwtArb(): fc.Arbitrary<string> {
  const claimText = fc.oneof(
    printable(20),
    fc.constantFrom("\u0000", "\ud800", "a\udc00b", "Łukasz", "x".repeat(500), "   "),
    fc.integer().map(String),
  );
  const claims = fc.record(
    {
      sub: fc.oneof(claimText, fc.integer(), fc.constant(null)),
      email: fc.oneof(
        claimText,
        fc.constantFrom("a@b.example", "not-an-email", "a@b", `${"x".repeat(300)}@b.example`),
      ),
      name: claimText,
      iss: fc.constantFrom("open-webui", "someone-else", 42),
      exp: fc.oneof(
        fc.constant(Math.floor(Date.now() / 1000) + 600),
        fc.integer(),
        fc.double(),
        fc.constant("soon"),
        fc.constant(1e308),
      ),
      iat: fc.oneof(fc.constant(Math.floor(Date.now() / 1000)), fc.integer(), fc.constant("now")),
    },
    { requiredKeys: [] },
  );
  const header = fc.oneof(
    { weight: 4, arbitrary: fc.constant({ alg: "HS256", typ: "JWT" }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom({ alg: "none" }, { alg: "HS512" }, { alg: ["HS256"] }, "not json", []),
    },
  );
  return fc.oneof(
    { weight: 4, arbitrary: fc.tuple(header, claims).map(([h, c]) => signJwt(h, c)) },
    { weight: 1, arbitrary: fc.tuple(header, claims).map(([h, c]) => signJwt(h, c, "a-different-secret")) },
    { weight: 1, arbitrary: headerValue },
    {
      weight: 1,
      arbitrary: fc.constantFrom("a.b.c", "...", "e30.e30.", `${b64({ alg: "HS256" })}.${b64("[")}.x`),
    },
  );
}

interface Credentials {
  tokens: string[];
}

function authorization(creds: Credentials): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...creds.tokens.map((t) => `Bearer ${t}`)) },
    { weight: 3, arbitrary: fc.constant(`Bearer ${GATEWAY_TOKEN}`) },
    {
      weight: 1,
      arbitrary: fc
        .string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: 48, maxLength: 48 })
        .map((h) => `Bearer mai_${h}`),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        `bearer   ${GATEWAY_TOKEN}   `,
        `Bearer ${GATEWAY_TOKEN}x`,
        "Bearer mai_",
        `Bearer ${"mai_".repeat(2000)}`,
      ),
    },
    { weight: 1, arbitrary: headerValue.map((v) => `Bearer ${v}`) },
  );
}

/** What Open WebUI's server sends in trusted-gateway mode, with hostile values in its user headers. */
function gatewayHeaders(): fc.Arbitrary<[string, string][]> {
  return fc
    .record(
      {
        id: fc.oneof(fc.uuid(), headerValue),
        email: fc.oneof(fc.emailAddress(), headerValue),
        name: headerValue,
        role: fc.constantFrom("user", "admin", "pending"),
        jwt: jwtArb(),
      },
      { requiredKeys: ["id"] },
    )
    .map((u) => {
      const lines: [string, string][] = [
        ["Authorization", `Bearer ${GATEWAY_TOKEN}`],
        ["X-OpenWebUI-User-Id", u.id],
      ];
      if (u.email !== undefined) lines.push(["X-OpenWebUI-User-Email", u.email]);
      if (u.name !== undefined) lines.push(["X-OpenWebUI-User-Name", u.name]);
      if (u.role !== undefined) lines.push(["X-OpenWebUI-User-Role", u.role]);
      if (u.jwt !== undefined) lines.push(["X-OpenWebUI-User-Jwt", u.jwt]);
      return lines;
    });
}

/** A request's headers: a coherent caller (a user token, the gateway) or not, plus junk lines. */
function headerSet(creds: Credentials): fc.Arbitrary<[string, string][]> {
  const caller = fc.oneof(
    { weight: 3, arbitrary: gatewayHeaders() },
    {
      weight: 2,
      arbitrary: fc.constantFrom(...creds.tokens).map((t): [string, string][] => [
        ["Authorization", `Bearer ${t}`],
        ["Content-Type", "application/json"],
      ]),
    },
    { weight: 1, arbitrary: fc.constant<[string, string][]>([]) },
  );
  return fc.tuple(caller, fc.array(headerLine(creds), { maxLength: 3 })).map(([a, b]) => [...a, ...b]);
}

/** One more header line the proxy reads (or not), with values the parser lets through. */
function headerLine(creds: Credentials): fc.Arbitrary<[string, string]> {
  return fc.oneof(
    { weight: 3, arbitrary: authorization(creds).map((v): [string, string] => ["Authorization", v]) },
    {
      weight: 3,
      arbitrary: fc.tuple(
        fc.constantFrom(
          "X-OpenWebUI-User-Id",
          "X-OpenWebUI-User-Email",
          "X-OpenWebUI-User-Name",
          "X-OpenWebUI-User-Role",
        ),
        headerValue,
      ),
    },
    { weight: 2, arbitrary: jwtArb().map((v): [string, string] => ["X-OpenWebUI-User-Jwt", v]) },
    {
      weight: 1,
      arbitrary: fc.tuple(
        fc.constant("Content-Type"),
        fc.constantFrom("application/json", "text/plain", "application/json; charset=latin1", ""),
      ),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(
        fc.constant("Origin"),
        fc.oneof(fc.constant("https://chat.example.com"), headerValue),
      ),
    },
    { weight: 1, arbitrary: fc.tuple(fc.constant("X-Request-Id"), headerValue) },
    { weight: 1, arbitrary: fc.tuple(fc.constant("Expect"), fc.constantFrom("100-continue", "200-ok", "")) },
    {
      weight: 1,
      arbitrary: fc.tuple(
        fc.constant("Connection"),
        fc.constantFrom("keep-alive", "upgrade", "close, te", ""),
      ),
    },
    { weight: 1, arbitrary: fc.tuple(fc.constant("Upgrade"), fc.constantFrom("websocket", "h2c", "")) },
    { weight: 1, arbitrary: fc.tuple(fc.constant("Host"), headerValue) },
    { weight: 1, arbitrary: fc.tuple(fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,15}$/), headerValue) },
  );
}

/** A raw JSON text (not a value): numbers JavaScript cannot represent stay as they were written. */
const jsonNumber = fc.oneof(
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  fc.constantFrom(
    "0",
    "-1",
    "1.5",
    "-0",
    "1e400",
    "-1e400",
    "9007199254740993",
    "1e21",
    "2147483648",
    "99999999999999999999999999999",
    "4096",
  ),
);
const jsonText = fc.oneof(
  { weight: 3, arbitrary: jsonNumber },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
  {
    weight: 1,
    arbitrary: fc.constantFrom("null", "true", "false", '""', "[]", "{}", '"\\u0000"', '"\\ud800"', '"12"'),
  },
);
const modelText = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...MODELS).map((m) => JSON.stringify(m)) },
  // Never a simulator fault suffix: OpenRouter's own failures are not what is tested here.
  {
    weight: 2,
    arbitrary: fc
      .string({ maxLength: 40 })
      .filter((m) => !m.includes("@sim"))
      .map((m) => JSON.stringify(m)),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '"openai/gpt-4o-mini\\u0000"',
      '"\\ud800"',
      `"${"m".repeat(301)}"`,
      '""',
      "42",
      "null",
      '["openai/gpt-4o-mini"]',
      '{"id":"x"}',
    ),
  },
);
const messagesText = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.string({ maxLength: 60 }).map((content) => JSON.stringify([{ role: "user", content }])),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '[{"role":"user","content":"a\\u0000b"}]',
      '[{"role":"user","content":"\\ud800"}]',
      '[{"role":"user","content":[{"type":"text","text":"hi"}]}]',
      "[]",
      '"hi"',
      "null",
      '[{"role":42}]',
      '[{"role":"user","content":{"deep":[[[[1]]]]}}]',
    ),
  },
  { weight: 1, arbitrary: jsonText },
  {
    weight: 1,
    arbitrary: fc
      .nat({ max: 300_000 })
      .map((n) => JSON.stringify([{ role: "user", content: "x".repeat(n) }])),
  },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 30, max: 200 })
      .map((d) => `[{"role":"user","content":"x","extra":${"[".repeat(d)}${"]".repeat(d)}}]`),
  },
);
const completionBody = fc
  .record(
    {
      model: modelText,
      messages: messagesText,
      prompt: jsonText,
      max_tokens: jsonNumber,
      max_completion_tokens: jsonNumber,
      temperature: jsonText,
      stream: fc.constantFrom("true", "false", '"true"', "1", "null"),
      user: jsonText,
      models: fc.oneof(jsonText, fc.constantFrom('["openai/gpt-4o-mini"]', '["no/such-model", 3]')),
      stream_options: fc.constantFrom('{"include_usage":true}', "null", "[]"),
    },
    // model and messages always (so most bodies reach OpenRouter and leave a usage event), the rest maybe.
    { requiredKeys: ["model", "messages"] },
  )
  .map(
    (fields) =>
      `{${Object.entries(fields)
        .map(([k, v]) => `${JSON.stringify(k)}:${v}`)
        .join(",")}}`,
  );
/**
 * A body OpenRouter accepts, with hostile parts only where it does not look (extra keys, `user`,
 * `metadata`) and limits it honours: these reach a 200 and leave usage events behind.
 */
const plausibleBody = fc
  .record(
    {
      model: fc.constantFrom(...MODELS.slice(0, 3)).map((m) => JSON.stringify(m)),
      messages: fc.string({ maxLength: 60 }).map((content) => JSON.stringify([{ role: "user", content }])),
      max_tokens: fc.oneof(
        fc.integer({ min: 1, max: 64 }).map(String),
        fc.constantFrom("9007199254740991", "2147483648", "1e21"),
      ),
      stream: fc.constantFrom("true", "false"),
      user: jsonText,
      metadata: fc.oneof(
        jsonText,
        fc.integer({ min: 1, max: 60 }).map((d) => `${"[".repeat(d)}${"]".repeat(d)}`),
      ),
      extra: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
    },
    { requiredKeys: ["model", "messages"] },
  )
  .map(
    (fields) =>
      `{${Object.entries(fields)
        .map(([k, v]) => `${JSON.stringify(k)}:${v}`)
        .join(",")}}`,
  );

/** A request body: a completion body (mostly well-formed JSON with wrong parts), or worse. */
const body = fc.oneof(
  { weight: 4, arbitrary: plausibleBody.map((t) => Buffer.from(t, "utf8")) },
  { weight: 6, arbitrary: completionBody.map((t) => Buffer.from(t, "utf8")) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom("", "[]", "null", "42", '"x"', "{", "\ufeff{}", '{"model":"a"}{"model":"b"}')
      .map((t) => Buffer.from(t, "utf8")),
  },
  // Invalid UTF-8 inside a JSON string, a raw NUL, a body far over the limit, nesting far too deep.
  {
    weight: 1,
    arbitrary: fc.constant(
      Buffer.concat([
        Buffer.from('{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"'),
        Buffer.from([0xff, 0xc3, 0x28, 0xed, 0xa0, 0x80]),
        Buffer.from('"}]}'),
      ]),
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constant(
      Buffer.from('{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"a\u0000b"}]}', "utf8"),
    ),
  },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: MAX_BODY_BYTES + 1, max: MAX_BODY_BYTES * 2 })
      .map((n) => Buffer.alloc(n, 0x20)),
  },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 65, max: 50_000 })
      .map((d) => Buffer.from(`{"messages":${"[".repeat(d)}${"]".repeat(d)}}`)),
  },
);

type Framing = "length" | "chunked" | "none" | "short" | "long";
const framing: fc.Arbitrary<Framing> = fc.oneof(
  { weight: 12, arbitrary: fc.constant<Framing>("length") },
  { weight: 2, arbitrary: fc.constant<Framing>("chunked") },
  { weight: 1, arbitrary: fc.constant<Framing>("none") },
  // The body stops short of the stated length: answered by the client request timeout.
  { weight: 1, arbitrary: fc.constant<Framing>("long") },
);

const target = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...ENDPOINTS.map(([, p]) => p)) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom(...ENDPOINTS.map(([, p]) => p)), printable(20))
      .map(([p, q]) => `${p}?${encodeURI(q)}`),
  },
  {
    // Targets the parser lets through and a URL parser refuses, and odd but valid ones.
    weight: 3,
    arbitrary: fc.constantFrom(
      "http://[::1/",
      "//[",
      "http://a:99999/v1/models",
      "http://%/healthz",
      "http://[1:2]/",
      "*",
      "//",
      "http://",
      "/%",
      "/%zz",
      "/..%2f..%2fetc",
      "/v1/../v1/models",
      "http://proxy.example/v1/models",
      "//evil.example/v1/models",
      `/${"a".repeat(5_000)}`,
    ),
  },
  { weight: 1, arbitrary: fc.stringMatching(/^\/[\x21-\x7e]{0,30}$/) },
);
const method = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom("GET", "POST", "OPTIONS", "HEAD") },
  { weight: 2, arbitrary: fc.constantFrom("PUT", "DELETE", "PATCH", "TRACE") },
);
/** Mostly an endpoint with its own method (so requests get past routing), else any pair. */
const route = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...ENDPOINTS).map(([m, t]) => ({ method: m, target: t })) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom(...ENDPOINTS), printable(20))
      .map(([[m, t], q]) => ({ method: m, target: `${t}?${encodeURI(q)}` })),
  },
  { weight: 3, arbitrary: fc.record({ method, target }) },
);
const version = fc.oneof(
  { weight: 6, arbitrary: fc.constant("HTTP/1.1") },
  { weight: 1, arbitrary: fc.constant("HTTP/1.0") },
);

/** What breaks a request for the parser: one of these is applied to a quarter of the requests. */
type Breaker =
  | { kind: "method"; value: string }
  | { kind: "version"; value: string }
  | { kind: "target"; value: string }
  | { kind: "header"; name: string; value: string }
  | { kind: "framing-header"; name: string; value: string }
  | { kind: "short-length" }
  | { kind: "connect" };
const breaker: fc.Arbitrary<Breaker> = fc.oneof(
  fc.record({
    kind: fc.constant("method" as const),
    value: fc.oneof(
      fc.constantFrom("PRI", "M-SEARCH", "get", "G ET", ""),
      fc.stringMatching(/^[A-Za-z]{1,8}$/),
    ),
  }),
  fc.record({
    kind: fc.constant("version" as const),
    value: fc.constantFrom("HTTP/2.0", "HTTP/1.9", "HTTP/x", "", "http/1.1", "HTTP/1.1 extra"),
  }),
  fc.record({
    kind: fc.constant("target" as const),
    value: fc.oneof(latin1(20), fc.constantFrom("/a b", "/\u0000", "http://é/", "http:", "/\u00ff")),
  }),
  fc.record({
    kind: fc.constant("header" as const),
    name: fc.oneof(fc.stringMatching(/^[A-Za-z-]{1,12}$/), latin1(8), fc.constantFrom("", " X", "X Y", "X:")),
    value: brokenHeaderValue,
  }),
  fc.record({
    kind: fc.constant("framing-header" as const),
    name: fc.constantFrom("Content-Length", "Transfer-Encoding"),
    value: fc.constantFrom(
      "-1",
      "abc",
      "1e3",
      "99999999999999999999",
      " 5",
      "chunked",
      "gzip",
      "chunked, chunked",
      "identity",
      "1, 2",
    ),
  }),
  fc.constant({ kind: "short-length" as const }),
  fc.constant({ kind: "connect" as const }),
);

interface HostileRequest {
  proxy: number;
  breaker?: Breaker | undefined;
  method: string;
  target: string;
  version: string;
  headers: [string, string][];
  host: "normal" | "missing" | "twice";
  framing: Framing;
  body: Buffer;
}

function encode(r: HostileRequest): Buffer {
  const b = r.breaker;
  const requestLine =
    b?.kind === "connect"
      ? "CONNECT example.com:443 HTTP/1.1"
      : `${b?.kind === "method" ? b.value : r.method} ${b?.kind === "target" ? b.value : r.target} ${b?.kind === "version" ? b.value : r.version}`.trimEnd();
  const lines = [requestLine];
  if (r.host !== "missing") lines.push("Host: 127.0.0.1");
  if (r.host === "twice") lines.push("Host: other.example");
  for (const [name, value] of r.headers) lines.push(`${name}: ${value}`);
  if (b?.kind === "header" || b?.kind === "framing-header") lines.push(`${b.name}: ${b.value}`);
  let payload = r.body;
  switch (b?.kind === "short-length" ? "short" : r.framing) {
    case "length":
      lines.push(`Content-Length: ${r.body.length}`);
      break;
    case "short": // the body runs past the stated length: the rest is read as a second, broken request
      lines.push(`Content-Length: ${Math.floor(r.body.length / 2)}`);
      break;
    case "long":
      lines.push(`Content-Length: ${r.body.length + 10}`);
      break;
    case "chunked":
      lines.push("Transfer-Encoding: chunked");
      payload = Buffer.concat([
        Buffer.from(`${r.body.length.toString(16)}\r\n`),
        r.body,
        Buffer.from(r.body.length > 0 ? "\r\n0\r\n\r\n" : "\r\n"),
      ]);
      break;
    case "none":
      break;
  }
  return Buffer.concat([Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1"), payload]);
}

async function until(check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

const acceptable = (r: RawResponse) =>
  r.status === 200 || r.status === 204 || (r.status >= 400 && r.status < 500);

// --- the properties --------------------------------------------------------------------------------

describe.each(testDrivers())("hostile requests on %s", (driver) => {
  let s: System;
  let org: TestOrg;
  let ports: number[];
  let proxies: ProxyServer[];
  let creds: Credentials;
  const limits = {
    MAI_PROXY_MAX_BODY_BYTES: String(MAX_BODY_BYTES),
    MAI_PROXY_CLIENT_HEADERS_TIMEOUT_MS: "1000",
    MAI_PROXY_CLIENT_REQUEST_TIMEOUT_MS: "1500",
    MAI_PROXY_GATEWAY_TOKEN: GATEWAY_TOKEN,
  };

  beforeAll(async () => {
    s = await startSystem(driver, limits);
    org = await s.org({ members: 2 });
    const jwt = await s.replica({ MAI_PROXY_GATEWAY_JWT_SECRET: JWT_SECRET });
    const autoJoin = await s.replica({ MAI_PROXY_AUTO_JOIN_ORGANIZATION_ID: org.id });
    ports = [s.proxyUrl, jwt.url, autoJoin.url].map((u) => Number(new URL(u).port));
    proxies = [s.proxy, jwt.proxy, autoJoin.proxy];
    creds = { tokens: org.users.map((u) => u.token) };
  });
  afterAll(() => s.close());

  const request = () =>
    fc
      .record({
        proxy: fc.nat({ max: 2 }),
        breaker: fc.oneof(
          { weight: 3, arbitrary: fc.constant(undefined) },
          { weight: 1, arbitrary: breaker },
        ),
        route,
        version,
        headers: headerSet(creds),
        host: fc.constantFrom<HostileRequest["host"]>(
          "normal",
          "normal",
          "normal",
          "normal",
          "missing",
          "twice",
        ),
        framing,
        body,
      })
      .map(({ route: r, ...rest }): HostileRequest => ({ ...r, ...rest }));

  /** Statuses seen, per property: a property whose requests never got past the first check would prove little. */
  let seen = new Map<number, number>();
  async function send(r: HostileRequest): Promise<RawResponse> {
    const answer = await rawRequest(ports[r.proxy]!, encode(r), {
      head: r.method === "HEAD",
      timeoutMs: 30_000,
    });
    seen.set(answer.status, (seen.get(answer.status) ?? 0) + 1);
    return answer;
  }

  async function afterwards() {
    for (const port of ports) {
      const res = await rawRequest(port, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      expect(res.status).toBe(200);
    }
    // Every handler has finished: none waits forever on a request that was answered or abandoned.
    for (const proxy of proxies) await until(() => proxy.deps.inflight.size === 0);
    // No request reached a handler's last-line catch, and nothing was answered with a 5xx.
    const failures = s.logs.filter(
      (l) => l.includes('"handler failed"') || l.includes("request answered with a server error"),
    );
    expect(failures).toEqual([]);
  }

  it("broken request lines, URLs, headers and framing to every endpoint: a 4xx or a documented 2xx, never a 5xx or silence", async () => {
    seen = new Map();
    await fc.assert(
      fc.asyncProperty(fc.array(request(), { minLength: 1, maxLength: 6 }), async (requests) => {
        const answers = await Promise.all(requests.map(send));
        for (const [i, answer] of answers.entries()) {
          if (!acceptable(answer))
            throw new Error(
              `answered ${answer.status} to ${JSON.stringify(encode(requests[i]!).subarray(0, 600).toString("latin1"))}: ${answer.body.slice(0, 300)}`,
            );
        }
      }),
      { numRuns: 300, plugins: [fc.interruptAfterTimeLimit(TIME_LIMIT_MS)] },
    );
    await afterwards();
    expect([...seen.keys()]).toEqual(expect.arrayContaining([200, 400, 401, 403, 404, 431]));
  }, 120_000);

  it("completion bodies with wrong types, out-of-range numbers, bad Unicode, NUL, huge and deep parts: a 4xx or 200, and every usage event is recorded", async () => {
    const completion = fc.record({
      proxy: fc.constant(0),
      method: fc.constant("POST"),
      target: fc.constantFrom(
        "/v1/chat/completions",
        "/api/v1/chat/completions",
        "/v1/chat/completions",
        "/v1/completions",
        "/api/v1/completions",
      ),
      version: fc.constant("HTTP/1.1"),
      headers: fc.constantFrom(...creds.tokens).map((t): [string, string][] => [
        ["Authorization", `Bearer ${t}`],
        ["Content-Type", "application/json"],
        ["Connection", "close"],
      ]),
      host: fc.constant<HostileRequest["host"]>("normal"),
      framing: fc.constantFrom<Framing>("length", "length", "length", "chunked"),
      body,
    });
    seen = new Map();
    await fc.assert(
      fc.asyncProperty(fc.array(completion, { minLength: 1, maxLength: 4 }), async (requests) => {
        const answers = await Promise.all(requests.map(send));
        for (const [i, answer] of answers.entries()) {
          if (!acceptable(answer))
            throw new Error(
              `answered ${answer.status} to ${JSON.stringify(requests[i]!.body.subarray(0, 600).toString("utf8"))}: ${answer.body.slice(0, 300)}`,
            );
        }
      }),
      { numRuns: 250, plugins: [fc.interruptAfterTimeLimit(TIME_LIMIT_MS)] },
    );
    await afterwards();
    // Whatever the bodies said, the events they produced passed the API: none refused, none poisoned.
    const recorder = s.proxy.deps.recorder;
    while (s.proxy.deps.inflight.size > 0) await Promise.allSettled([...s.proxy.deps.inflight]);
    await recorder.flush();
    expect(recorder.stats()).toMatchObject({ rejected: 0, poisoned: 0, queued: 0, spooledEvents: 0 });
    expect([...seen.keys()]).toEqual(expect.arrayContaining([200, 400, 413]));
  }, 120_000);
});
