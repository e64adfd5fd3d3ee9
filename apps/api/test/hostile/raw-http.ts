// Raw HTTP over a net socket: requests no well-behaved client library would send (broken request
// lines, absolute-form targets whose host `new URL()` refuses, malformed cookies, invalid UTF-8 and
// NUL bytes, huge and deeply nested bodies, clients that leave mid-body), and the arbitrary that
// generates them.
import fc from "fast-check";
import { connect } from "node:net";
import superjson from "superjson";
import { INTERNAL_TOKEN } from "../harness";

export interface RawRequest {
  /** What this request is, for reports. */
  label: string;
  method: string;
  head: Buffer;
  body: Buffer;
  /** Send the head and this many body bytes, then destroy the socket (a client that leaves). */
  abortAfter?: number;
}

interface RawResult {
  /** null: the connection ended without a status line (or the client left on purpose). */
  status: number | null;
  head: string;
  body: string;
  error?: string;
}

const enc = (s: string) => Buffer.from(s, "latin1");

/** Sends `req` and reads until the server closes (every request carries Connection: close). */
export function sendRaw(
  port: number,
  req: RawRequest,
  options: { timeoutMs: number; interrupted: Promise<string> },
): Promise<RawResult> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (error?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      let raw = Buffer.concat(chunks);
      // Interim responses (100 Continue) come before the final one.
      while (
        /^HTTP\/1\.[01] 1\d\d /.test(raw.subarray(0, 16).toString("latin1")) &&
        raw.indexOf("\r\n\r\n") >= 0
      )
        raw = raw.subarray(raw.indexOf("\r\n\r\n") + 4);
      const split = raw.indexOf("\r\n\r\n");
      const head = (split >= 0 ? raw.subarray(0, split) : raw).toString("latin1");
      let bodyBytes: Buffer = split >= 0 ? raw.subarray(split + 4) : Buffer.alloc(0);
      if (/\r\ntransfer-encoding: *chunked/i.test(head)) bodyBytes = dechunk(bodyBytes);
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(head);
      resolve({
        status: m ? Number(m[1]) : null,
        head,
        body: bodyBytes.toString("utf8"),
        ...(error ? { error } : {}),
      });
    };
    const timer = setTimeout(() => finish(`no response within ${options.timeoutMs} ms`), options.timeoutMs);
    options.interrupted.then(
      (e) => setImmediate(() => finish(e)),
      () => {},
    );
    socket.on("data", (d: Buffer) => chunks.push(d));
    socket.on("end", () => finish());
    socket.on("close", () => finish());
    socket.on("error", (e) => finish(chunks.length ? undefined : `socket error: ${e.message}`));
    socket.on("connect", () => {
      if (req.abortAfter !== undefined) {
        socket.write(req.head);
        socket.write(req.body.subarray(0, req.abortAfter), () => {
          socket.destroy();
          finish("client left mid-body (on purpose)");
        });
        return;
      }
      socket.write(Buffer.concat([req.head, req.body]));
    });
  });
}

function dechunk(data: Buffer): Buffer {
  // (only what Node writes: hex size, CRLF, bytes, CRLF)
  const parts: Buffer[] = [];
  let at = 0;
  while (at < data.length) {
    const eol = data.indexOf("\r\n", at);
    if (eol < 0) break;
    const size = parseInt(data.subarray(at, eol).toString("latin1"), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(data.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

// ---------------------------------------------------------------------------------------------
// The generator

const TRPC_PROCS = [
  "auth.me",
  "auth.login",
  "auth.logout",
  "settings.get",
  "settings.update",
  "organizations.list",
  "organizations.create",
  "usage.events",
  "internal.recordUsage",
  "internal.resolveContext",
  "audit.list",
  "nope.nothing",
  "",
];
const REST_GET = "/api/v1/users/user/settings";
const REST_POST = "/api/v1/users/user/settings/update";

/** Absolute-form and odd targets Node's parser lets through but `new URL()` (or decodeURI) may refuse. */
const BROKEN_TARGETS = [
  "http://[::1/",
  "http://[/",
  "http://[::1]:99999/healthz",
  "http://a:b/",
  "http://%/",
  "http://%zz/",
  "http://exa mple/",
  "http://xn--a/",
  "http://[fe80::1%25eth0]/",
  "http:///",
  "http://1.2.3.4.5/",
  "http://256.256.256.256/",
  "//",
  "//evil.example/healthz",
  "*",
  "/%",
  "/%E0%A4%A",
  "/trpc/%E0%A4%A",
  "/trpc/auth.me%00",
  "/trpc/auth.me?input=%E0%A4%A",
  "/api/v1/users/user/settings?%",
  "/\u00ff",
  "/..%2f..%2fetc%2fpasswd",
  "/trpc/../healthz",
];

const COOKIES = [
  "mai_session=%E0%A4%A",
  "mai_session=%",
  "mai_session=%zz",
  "mai_session=%00",
  "mai_session=%C0%80",
  "mai_session=\u00ff\u00fe",
  "mai_session=",
  "mai_session",
  "=mai_session",
  "mai_session=a; mai_session=%E0%A4%A",
  "a=%E0%A4%A; mai_session=ok",
  `mai_session=${"x".repeat(8000)}`,
  'mai_session="quoted"',
  ";;;==;",
  "__proto__=x; constructor=y",
];

const AUTHORIZATIONS = [
  "Bearer mai_",
  `Bearer mai_${"0".repeat(48)}`,
  `Bearer mai_${"g".repeat(48)}`,
  "Bearer \u00ff\u00fe",
  "Bearer",
  "Basic Og==",
  `Bearer ${"a".repeat(8000)}`,
  "Bearer %E0%A4%A",
];

const CONTENT_TYPES = [
  "application/json",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/json; charset=latin1",
  "application/octet-stream",
  "",
  "\u00ff",
];

/** Deeply nested JSON text (no client serialiser involved: this is the wire). */
const deepJson = (depth: number, open = "[", close = "]") => open.repeat(depth) + close.repeat(depth);
const deepObjectJson = (depth: number) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;

const superjsonBody = (value: unknown) => JSON.stringify(superjson.serialize(value));

const BODIES: { label: string; bytes: () => Buffer }[] = [
  { label: "empty", bytes: () => Buffer.alloc(0) },
  { label: "json {}", bytes: () => enc("{}") },
  { label: "superjson settings", bytes: () => Buffer.from(superjsonBody({ ui: { theme: "dark" } })) },
  { label: "REST settings", bytes: () => Buffer.from(JSON.stringify({ ui: { theme: "dark" } })) },
  {
    label: "invalid utf-8",
    bytes: () => Buffer.from([0x7b, 0x22, 0x75, 0x69, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0xff, 0xfe, 0x22, 0x7d]),
  },
  {
    label: "invalid utf-8 superjson",
    bytes: () =>
      Buffer.concat([enc('{"json":{"ui":{"t":"'), Buffer.from([0xed, 0xa0, 0x80, 0xc0, 0xaf]), enc('"}}}')]),
  },
  { label: "NUL bytes", bytes: () => Buffer.from('{"json":{"ui":{"t":"a\u0000b"}}}') },
  { label: "escaped NUL", bytes: () => enc('{"json":{"ui":{"t":"a\\u0000b","\\u0000":1}}}') },
  { label: "escaped NUL (REST)", bytes: () => enc('{"ui":{"t":"a\\u0000b","\\u0000":1}}') },
  { label: "lone surrogate (REST)", bytes: () => enc('{"ui":{"t":"\\ud800"}}') },
  { label: "lone surrogate (superjson)", bytes: () => enc('{"json":{"ui":{"t":"\\udfff"}}}') },
  { label: "garbage", bytes: () => enc("}{][\u00ff") },
  { label: "json null", bytes: () => enc("null") },
  { label: "json number", bytes: () => enc("1e999") },
  { label: "huge (2 MiB)", bytes: () => Buffer.from(`{"json":{"ui":{"t":"${"a".repeat(2 << 20)}"}}}`) },
  { label: "huge REST (2 MiB)", bytes: () => Buffer.from(`{"ui":{"t":"${"a".repeat(2 << 20)}"}}`) },
  { label: "deep array (100k)", bytes: () => enc(deepJson(100_000)) },
  { label: "deep object superjson (20k)", bytes: () => enc(`{"json":{"ui":${deepObjectJson(20_000)}}}`) },
  { label: "deep object REST (20k)", bytes: () => enc(`{"ui":${deepObjectJson(20_000)}}`) },
  { label: "deep object REST (2k)", bytes: () => enc(`{"ui":${deepObjectJson(2_000)}}`) },
  {
    label: "deep superjson meta",
    bytes: () => enc(`{"json":{"ui":{}},"meta":{"values":${deepJson(20_000)}}}`),
  },
  {
    label: "superjson meta garbage",
    bytes: () =>
      enc('{"json":{"ui":{"a":"1"}},"meta":{"values":{"ui.a":["bigint"],"ui.__proto__.x":["Date"]}}}'),
  },
  {
    label: "superjson meta referential",
    bytes: () => enc('{"json":{"ui":{"a":1}},"meta":{"referentialEqualities":{"ui":["ui.a.b.c"]}}}'),
  },
  {
    label: "superjson bad bigint",
    bytes: () => enc('{"json":{"amountNano":"x1"},"meta":{"values":{"amountNano":["bigint"]}}}'),
  },
  { label: "superjson bad date", bytes: () => enc('{"json":{"d":"nope"},"meta":{"values":{"d":["Date"]}}}') },
  {
    label: "superjson class",
    bytes: () => enc('{"json":{"d":{}},"meta":{"values":{"d":[["class","Nope"]]}}}'),
  },
  {
    label: "superjson custom",
    bytes: () => enc('{"json":{"d":1},"meta":{"values":{"d":[["custom","Nope"]]}}}'),
  },
  { label: "batch body", bytes: () => enc('{"0":{"json":null},"1":{"json":{"ui":1}},"x":5}') },
  { label: "batch body array", bytes: () => enc("[1,2,3]") },
  { label: "usage ndjson", bytes: () => enc(superjsonBody({ ndjson: '{"generationId":"x"}\n' })) },
];

const queryInputs = [
  "",
  "?input=",
  "?input=%E0%A4%A",
  "?input=%",
  "?input=garbage",
  "?input=null",
  "?input=%7B%7D",
  `?input=${encodeURIComponent(deepJson(5_000))}`,
  `?input=${encodeURIComponent(JSON.stringify({ json: JSON.parse(deepObjectJson(3_000)) }))}`,
  `?input=${encodeURIComponent('{"json":{"organizationId":"\\u0000"}}')}`,
  `?input=${encodeURIComponent('{"json":{"cursor":"\\ud800"}}')}`,
  `?batch=1&input=${encodeURIComponent('{"0":{"json":null},"1":"x"}')}`,
  `?batch=1&input=${encodeURIComponent("[]")}`,
  `?batch=1&input=${encodeURIComponent(deepJson(5_000))}`,
  "?batch=1",
  "?batch=1&input=%E0%A4%A",
  `?input=${"a".repeat(20_000)}`,
];

const trpcTarget = fc
  .tuple(fc.constantFrom(...TRPC_PROCS), fc.constantFrom(...queryInputs), fc.boolean())
  .map(([proc, q, batch]) => `/trpc/${batch ? `${proc},${proc}` : proc}${q}`);
const restTarget = fc.constantFrom(
  REST_GET,
  REST_POST,
  `${REST_POST}?x=%E0%A4%A`,
  `${REST_GET}/`,
  "/api/v1/users/user/settings/update/",
);
const plainTarget = fc.constantFrom(
  "/healthz",
  "/readyz",
  "/",
  "/index.html",
  "/assets/x.js",
  "/api/",
  "/trpc",
  "/trpc/",
);
const absoluteTarget = fc
  .tuple(
    fc.constantFrom("http://127.0.0.1", "http://localhost:1"),
    fc.oneof(trpcTarget, restTarget, plainTarget),
  )
  .map(([o, p]) => o + p);
const target = fc.oneof(
  { weight: 4, arbitrary: trpcTarget },
  { weight: 4, arbitrary: restTarget },
  { weight: 1, arbitrary: plainTarget },
  { weight: 1, arbitrary: absoluteTarget },
  { weight: 3, arbitrary: fc.constantFrom(...BROKEN_TARGETS) },
);

const headerValue = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom("\u00ff\u00fe", "\u00c3\u0028", "%E0%A4%A", "a".repeat(9000), "\u0000", "\t x \t"),
);

interface RequestSpec {
  method: string;
  target: string;
  version?: string;
  headers?: [string, string][];
  rawHeader?: Buffer | null;
  body?: { label: string; bytes: () => Buffer };
  abort?: boolean;
}

const short = (v: string) => (v.length > 60 ? `${v.slice(0, 60)}…(${v.length})` : v);

/** The bytes of a request (Host and Connection: close always; Content-Length when there is a body). */
export function buildRequest(spec: RequestSpec): RawRequest {
  const version = spec.version ?? "HTTP/1.1";
  const headers = spec.headers ?? [];
  const body = spec.body ? spec.body.bytes() : Buffer.alloc(0);
  const lines: Buffer[] = [
    enc(`${spec.method} ${spec.target} ${version}`.trimEnd()),
    enc("host: 127.0.0.1"),
    enc("connection: close"),
  ];
  for (const [k, v] of headers) lines.push(enc(`${k}: ${v}`));
  if (spec.rawHeader) lines.push(spec.rawHeader);
  if (body.length > 0) lines.push(enc(`content-length: ${body.length}`));
  const head = Buffer.concat([...lines.flatMap((l) => [l, enc("\r\n")]), enc("\r\n")]);
  const abort = Boolean(spec.abort) && body.length > 1;
  const label = [
    `${spec.method} ${short(spec.target)} ${version}`,
    ...headers.map(([k, v]) => `${k}: ${JSON.stringify(short(v))}`),
    ...(spec.rawHeader
      ? [`raw header bytes: ${JSON.stringify(spec.rawHeader.subarray(0, 40).toString("latin1"))}`]
      : []),
    `body: ${body.length ? spec.body!.label : "none"} (${body.length} bytes)`,
    ...(abort ? ["client leaves mid-body"] : []),
  ].join(" | ");
  return {
    label,
    method: spec.method,
    head,
    body,
    ...(abort ? { abortAfter: Math.floor(body.length / 2) } : {}),
  };
}

export const BODY = Object.fromEntries(BODIES.map((b) => [b.label, b])) as Record<
  string,
  { label: string; bytes: () => Buffer }
>;

/** null most of the time, a value `percent` % of the time (null first, so it shrinks away). */
const sometimes = <T>(arb: fc.Arbitrary<T>, percent: number): fc.Arbitrary<T | null> =>
  fc.oneof(
    { withCrossShrink: true },
    { weight: 100 - percent, arbitrary: fc.constant(null) },
    { weight: percent, arbitrary: arb },
  );
const header = (name: string, values: fc.Arbitrary<string>, percent: number) =>
  sometimes(
    values.map((v) => [name, v] as [string, string]),
    percent,
  );

/** Hostile raw requests; `tokens` are real personal tokens (so authenticated paths are reached too). */
export function rawRequestArbitrary(tokens: readonly string[]): fc.Arbitrary<RawRequest> {
  const authorization = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...tokens.map((t) => `Bearer ${t}`)) },
    { weight: 1, arbitrary: fc.constantFrom(...AUTHORIZATIONS) },
  );
  return fc
    .record({
      method: fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom("GET", "POST") },
        { weight: 1, arbitrary: fc.constantFrom("HEAD", "PUT", "DELETE", "OPTIONS", "PATCH", "BREW", "get") },
      ),
      target,
      version: fc.oneof(
        { weight: 12, arbitrary: fc.constant("HTTP/1.1") },
        { weight: 1, arbitrary: fc.constantFrom("HTTP/1.0", "HTTP/2.0", "HTTP/1.1 x", "") },
      ),
      cookie: header(
        "cookie",
        fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom(...COOKIES) },
          { weight: 1, arbitrary: headerValue },
        ),
        35,
      ),
      authorization: header("authorization", authorization, 50),
      internal: header(
        "x-mai-internal-token",
        fc.constantFrom(INTERNAL_TOKEN, `${INTERNAL_TOKEN}\u00ff`, "", "x"),
        15,
      ),
      requestId: header("x-request-id", fc.constantFrom("\u00ff", "a".repeat(65), "ok-1", "%E0%A4%A"), 10),
      // tRPC refuses a POST without a JSON content type (415) before reading it: mostly JSON.
      contentType: header(
        "content-type",
        fc.oneof(
          { weight: 4, arbitrary: fc.constant("application/json") },
          { weight: 1, arbitrary: fc.constantFrom(...CONTENT_TYPES) },
        ),
        80,
      ),
      extra: sometimes(
        fc.tuple(
          fc.constantFrom(
            "x-anything",
            "accept",
            "user-agent",
            "x-forwarded-for",
            "trpc-accept",
            "expect",
            "origin",
          ),
          headerValue,
        ),
        15,
      ),
      rawHeader: sometimes(
        fc.constantFrom(
          Buffer.from([0x78, 0x3a, 0x20, 0xc3, 0x28, 0xff]),
          Buffer.from([0x78, 0x3a, 0x20, 0x61, 0x00, 0x62]),
          Buffer.from("x: a\rb"),
          Buffer.from(`${"x".repeat(20_000)}: y`),
        ),
        8,
      ),
      body: fc.constantFrom(...BODIES),
      abort: fc.integer({ min: 0, max: 9 }).map((n) => n === 9),
    })
    .map((p) =>
      buildRequest({
        method: p.method,
        target: p.target,
        version: p.version,
        headers: [p.cookie, p.authorization, p.internal, p.requestId, p.contentType, p.extra].filter(
          (x): x is [string, string] => x !== null,
        ),
        rawHeader: p.rawHeader,
        // GET and HEAD mostly come without a body.
        body:
          (p.method === "GET" || p.method === "HEAD") && !p.abort && p.body.label !== "garbage"
            ? BODY.empty
            : p.body,
        abort: p.abort,
      }),
    );
}
