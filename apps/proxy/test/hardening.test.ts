// Issue 12, "no request can crash a server": each defect seen, as a named regression test, on the
// whole system (the real API on a real database, the OpenRouter simulator, the proxy).
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { schema } from "@mai/db";
import { testDrivers } from "@mai/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadProxyEnv } from "../src/index";
import { rawHttp, rawRequest, type RawResponse } from "./raw-http";
import { INTERNAL_TOKEN, startSystem, type System, type TestOrg } from "./system";

const MODEL = "openai/gpt-4o-mini";
/** About 2 s of streaming by construction (40 tokens, 50 ms apart): longer than the request timeout below. */
const SLOW = `${MODEL}@sim:tokens=40,token-latency=50`;
const CLIENT_HEADERS_TIMEOUT_MS = 600;
const CLIENT_REQUEST_TIMEOUT_MS = 1_000;

const openAiError = (code: string) => ({ error: { message: expect.stringMatching(/\w+ \w+/), type: expect.any(String), code } });

async function until(check: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("client limits in the configuration", () => {
  it("have defaults, are read from the environment, and a header timeout above the request timeout is refused", () => {
    const base = { MAI_INTERNAL_TOKEN: INTERNAL_TOKEN };
    expect(loadProxyEnv(base)).toMatchObject({
      MAI_PROXY_MAX_BODY_BYTES: 10 * 1024 * 1024,
      MAI_PROXY_MAX_JSON_DEPTH: 64,
      MAI_PROXY_MAX_HEADER_BYTES: 16 * 1024,
      MAI_PROXY_CLIENT_HEADERS_TIMEOUT_MS: 30_000,
      MAI_PROXY_CLIENT_REQUEST_TIMEOUT_MS: 120_000,
      MAI_PROXY_CLIENT_KEEP_ALIVE_TIMEOUT_MS: 5_000,
      MAI_PROXY_USAGE_MAX_SERVER_ERRORS: 3,
    });
    expect(loadProxyEnv({ ...base, MAI_PROXY_MAX_JSON_DEPTH: "10", MAI_PROXY_CLIENT_KEEP_ALIVE_TIMEOUT_MS: "65000" })).toMatchObject({
      MAI_PROXY_MAX_JSON_DEPTH: 10,
      MAI_PROXY_CLIENT_KEEP_ALIVE_TIMEOUT_MS: 65_000,
    });
    expect(() => loadProxyEnv({ ...base, MAI_PROXY_CLIENT_HEADERS_TIMEOUT_MS: "60000", MAI_PROXY_CLIENT_REQUEST_TIMEOUT_MS: "30000" })).toThrow(
      /MAI_PROXY_CLIENT_HEADERS_TIMEOUT_MS: must not exceed/,
    );
    expect(() => loadProxyEnv({ ...base, MAI_PROXY_MAX_JSON_DEPTH: "100000" })).toThrow(/MAI_PROXY_MAX_JSON_DEPTH/);
  });
});

describe.each(testDrivers())("hardening on %s", (driver) => {
  let s: System;
  let org: TestOrg;
  let port: number;
  beforeAll(async () => {
    s = await startSystem(driver, {
      MAI_PROXY_CLIENT_HEADERS_TIMEOUT_MS: String(CLIENT_HEADERS_TIMEOUT_MS),
      MAI_PROXY_CLIENT_REQUEST_TIMEOUT_MS: String(CLIENT_REQUEST_TIMEOUT_MS),
    });
    org = await s.org();
    port = Number(new URL(s.proxyUrl).port);
  });
  afterAll(() => s.close());

  const auth = (): [string, string] => ["Authorization", `Bearer ${org.users[0]!.token}`];
  const json = (r: RawResponse) => JSON.parse(r.body) as unknown;
  const chat = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${s.proxyUrl}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${org.users[0]!.token}`, "content-type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  const eventsOf = (o: TestOrg) => s.t.db.select().from(schema.usageEvents).where(eq(schema.usageEvents.organizationId, o.id));

  describe("defect 1: a request target that is not a URL ended the process", () => {
    it.each(["GET http://[::1/ HTTP/1.1", "GET //[ HTTP/1.1", "POST http://a:99999/v1/chat/completions HTTP/1.1", "GET http://%/healthz HTTP/1.1"])(
      "%s → 400 in words; streams in flight finish and are recorded",
      async (requestLine) => {
        const streamOrg = await s.org();
        const inFlight = await fetch(`${s.proxyUrl}/v1/chat/completions`, {
          method: "POST",
          headers: { authorization: `Bearer ${streamOrg.users[0]!.token}`, "content-type": "application/json" },
          body: JSON.stringify({ model: `${MODEL}@sim:tokens=10,token-latency=30`, stream: true, messages: [{ role: "user", content: "keep going" }] }),
        });
        expect(inFlight.status).toBe(200);

        const res = await rawRequest(port, rawHttp(requestLine, [auth(), ["Content-Length", "0"]]));
        expect(res.status).toBe(400);
        expect(json(res)).toEqual(openAiError("invalid_request_target"));

        expect(await inFlight.text()).toContain("[DONE]");
        await until(async () => (await eventsOf(streamOrg)).length === 1);
        expect((await fetch(`${s.proxyUrl}/healthz`)).status).toBe(200);
      },
    );
  });

  describe("found by the property test: a body whose length cannot be determined got silence", () => {
    it("HTTP/1.0 with a Transfer-Encoding that is not chunked → 400 invalid_transfer_encoding, at once", async () => {
      const body = JSON.stringify({ model: MODEL, messages: [{ role: "user", content: "x" }] });
      for (const [requestLine, coding] of [
        ["POST /v1/chat/completions HTTP/1.0", "1e3"],
        ["POST /v1/chat/completions HTTP/1.1", "gzip"],
        ["POST /v1/chat/completions HTTP/1.1", "chunked, gzip"],
      ] as const) {
        const res = await rawRequest(port, rawHttp(requestLine, [auth(), ["Content-Type", "application/json"], ["Transfer-Encoding", coding]], body));
        expect(res.status, `${requestLine} / ${coding}`).toBe(400);
        // Node's HTTP/1.1 parser refuses some of these itself (malformed_request); the rest reach us.
        const code = (json(res) as { error: { code: string } }).error.code;
        if (requestLine.endsWith("1.0")) expect(code).toBe("invalid_transfer_encoding");
        else expect(["invalid_transfer_encoding", "malformed_request"]).toContain(code);
      }
      expect((await fetch(`${s.proxyUrl}/healthz`)).status).toBe(200);
    });
  });

  describe("defect 2: deeply nested JSON gave a 500", () => {
    it("100,000 levels → 400 json_too_deep, before anything walks it", async () => {
      const deep = `{"model":"${MODEL}","messages":[{"role":"user","content":"x"}],"metadata":${"[".repeat(100_000)}${"]".repeat(100_000)}}`;
      const res = await chat(deep);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual(openAiError("json_too_deep"));
    });

    it("64 levels (the default limit) pass; 65 are refused", async () => {
      // The body object is level 1, so 62 more arrays inside "metadata" make 64 (outer + 1 + 62).
      const nested = (arrays: number) =>
        `{"model":"${MODEL}","messages":[{"role":"user","content":"x"}],"metadata":{"a":${"[".repeat(arrays)}${"]".repeat(arrays)}}}`;
      expect((await chat(nested(62))).status).toBe(200);
      const refused = await chat(nested(63));
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/64/);
    });
  });

  describe("defect 3: no limits on slow clients (requestTimeout was 0)", () => {
    it("the server runs with the configured client limits", () => {
      const { server, deps } = s.proxy;
      expect(server.headersTimeout).toBe(CLIENT_HEADERS_TIMEOUT_MS);
      expect(server.requestTimeout).toBe(CLIENT_REQUEST_TIMEOUT_MS);
      expect(server.keepAliveTimeout).toBe(deps.env.MAI_PROXY_CLIENT_KEEP_ALIVE_TIMEOUT_MS);
    });

    it("a body trickling in is cut with 408 once the request timeout has passed", async () => {
      const head = rawHttp("POST /v1/chat/completions HTTP/1.1", [auth(), ["Content-Type", "application/json"], ["Content-Length", "1000"]]);
      const res = await rawRequest(port, head, { trickle: { chunks: Array.from({ length: 400 }, () => " "), intervalMs: 50 } });
      expect(res.status).toBe(408);
      expect(json(res)).toEqual(openAiError("request_timeout"));
      expect(res.headers["x-request-id"]).toBeTruthy();
      // The handler that was waiting for the body hears that none will come, and ends.
      await until(() => s.proxy.deps.inflight.size === 0);
    });

    it("headers trickling in are cut with 408 once the header timeout has passed", async () => {
      const res = await rawRequest(port, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n", {
        trickle: { chunks: Array.from({ length: 400 }, (_, i) => `X-Slow-${i}: y\r\n`), intervalMs: 50 },
      });
      expect(res.status).toBe(408);
      expect(json(res)).toEqual(openAiError("request_timeout"));
    });

    it("a streamed answer lasting longer than the request timeout still completes: the timeout bounds receiving the request only", async () => {
      const started = Date.now();
      const res = await chat({ model: SLOW, stream: true, messages: [{ role: "user", content: "take your time" }] });
      expect(res.status).toBe(200);
      const text = await res.text();
      // A lower bound only (it cannot flake on a slow machine): the stream did outlast the timeout.
      expect(Date.now() - started).toBeGreaterThan(CLIENT_REQUEST_TIMEOUT_MS + CLIENT_HEADERS_TIMEOUT_MS);
      expect(text).toContain("[DONE]");
      expect(text.match(/"content":"/g)?.length ?? 0).toBeGreaterThanOrEqual(40);
    });
  });

  describe("every client mistake is a 4xx in words, OpenAI-shaped", () => {
    it("a header block larger than the limit → 431", async () => {
      const res = await rawRequest(port, rawHttp("GET /healthz HTTP/1.1", [["X-Big", "a".repeat(40_000)]]));
      expect(res.status).toBe(431);
      expect(json(res)).toEqual(openAiError("headers_too_large"));
    });

    it.each([
      ["a header without a colon", "GET /healthz HTTP/1.1\r\nHost: x\r\nnonsense\r\n\r\n"],
      ["a NUL in a header value", "GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\n\r\n"],
      ["a space in the request target", "GET /a b HTTP/1.1\r\nHost: x\r\n\r\n"],
      ["an unknown method", "BREW /healthz HTTP/1.1\r\nHost: x\r\n\r\n"],
      ["two Content-Lengths that disagree", "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"],
    ])("%s → 400 malformed_request", async (_name, request) => {
      const res = await rawRequest(port, request);
      expect(res.status).toBe(400);
      expect(json(res)).toEqual(openAiError("malformed_request"));
    });

    it("an HTTP/1.1 request without Host → 400 in words", async () => {
      const res = await rawRequest(port, "GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n");
      expect(res.status).toBe(400);
      expect(json(res)).toEqual(openAiError("missing_host"));
    });

    it("Expect other than 100-continue → 417 in words", async () => {
      const res = await rawRequest(port, rawHttp("POST /v1/chat/completions HTTP/1.1", [auth(), ["Expect", "teapot"], ["Content-Length", "2"]], "{}"));
      expect(res.status).toBe(417);
      expect(json(res)).toEqual(openAiError("expectation_failed"));
    });

    it("CONNECT → 405 in words", async () => {
      const res = await rawRequest(port, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n");
      expect(res.status).toBe(405);
      expect(json(res)).toEqual(openAiError("method_not_allowed"));
    });

    it("a max_tokens no model can produce is reserved at the model's maximum, not beyond", async () => {
      for (const max_tokens of [Number.MAX_SAFE_INTEGER, 2 ** 31, 1e300]) {
        const res = await chat({ model: MODEL, max_tokens, messages: [{ role: "user", content: "x" }] });
        expect(res.status).toBeLessThan(500);
        await res.text();
      }
    });

    it("a model name the ledger cannot store (too long, NUL, not a string) → 400 before OpenRouter is asked", async () => {
      const before = s.sim.ledger().length;
      for (const model of ["m".repeat(301), `${MODEL}\u0000`, "", 42, ["a"]]) {
        const res = await chat({ model, messages: [{ role: "user", content: "x" }] });
        expect(res.status).toBe(400);
        expect(await res.json()).toEqual(openAiError("invalid_model"));
      }
      expect(s.sim.ledger().length).toBe(before);
    });
  });

  describe("an organisation's allowed models", () => {
    it("bind `model` and every `models` fallback: OpenRouter's fallback routing cannot step around the list", async () => {
      const limited = await s.org();
      await s.t.db.update(schema.clientOrganizations).set({ allowedModels: [MODEL] }).where(eq(schema.clientOrganizations.id, limited.id));
      const call = (body: unknown) =>
        fetch(`${s.proxyUrl}/v1/chat/completions`, {
          method: "POST",
          headers: { authorization: `Bearer ${limited.users[0]!.token}`, "content-type": "application/json" },
          body: JSON.stringify(body),
        });
      const messages = [{ role: "user", content: "x" }];
      const before = s.sim.ledger({ keyHash: limited.keyHash }).length;
      const other = await call({ model: "anthropic/claude-sonnet-4", messages });
      expect(other.status).toBe(403);
      expect(await other.json()).toEqual(openAiError("model_not_allowed"));
      const fallback = await call({ model: MODEL, models: [MODEL, "anthropic/claude-sonnet-4"], messages });
      expect(fallback.status).toBe(403);
      expect(((await fallback.json()) as { error: { message: string } }).error.message).toContain("anthropic/claude-sonnet-4");
      const junk = await call({ model: MODEL, models: "anthropic/claude-sonnet-4", messages });
      expect(junk.status).toBe(400);
      expect(await junk.json()).toEqual(openAiError("invalid_model"));
      expect(s.sim.ledger({ keyHash: limited.keyHash }).length).toBe(before);
      const ok = await call({ model: MODEL, models: [MODEL], messages });
      expect(ok.status).toBe(200);
    });
  });

  describe("request ids", () => {
    it("a sane incoming x-request-id is echoed; anything else is replaced by a generated one", async () => {
      const sane = await fetch(`${s.proxyUrl}/healthz`, { headers: { "x-request-id": "req-abc.123_X" } });
      expect(sane.headers.get("x-request-id")).toBe("req-abc.123_X");
      const insane = await fetch(`${s.proxyUrl}/healthz`, { headers: { "x-request-id": "a b;<script>" } });
      expect(insane.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
      const none = await fetch(`${s.proxyUrl}/nowhere`);
      expect(none.status).toBe(404);
      expect(none.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    });

    it("a handler that fails answers 500 with a generic sentence and the request id, which the log line carries too", async () => {
      const identity = s.proxy.deps.identity;
      // A dependency failing in a way no handler foresaw (the message stands for a driver error
      // that embeds parameters): it must reach neither the client nor past the handler.
      s.proxy.deps.identity = { ...identity, resolve: () => Promise.reject(new TypeError("cannot read 'x' of undefined; param sk-or-v1-feedfeedfeed")) };
      try {
        const id = `req-${randomUUID()}`;
        const res = await chat({ model: MODEL, messages: [] }, { "x-request-id": id });
        expect(res.status).toBe(500);
        expect(res.headers.get("x-request-id")).toBe(id);
        const body = (await res.json()) as { error: { message: string; type: string; code: string } };
        expect(body).toEqual({ error: { message: expect.stringContaining(id), type: "api_error", code: "internal_error" } });
        expect(body.error.message).not.toMatch(/undefined|sk-or|TypeError|at /);
        const line = s.logs.find((l) => l.includes(id) && l.includes("handler failed"));
        expect(line).toBeDefined();
      } finally {
        s.proxy.deps.identity = identity;
      }
    });

    it("every 5xx body carries the request id and no library message (the API away → 503)", async () => {
      const fresh = await s.org(); // an uncached token: the proxy must ask the API
      await s.stopApi();
      try {
        const res = await fetch(`${s.proxyUrl}/v1/models`, { headers: { authorization: `Bearer ${fresh.users[0]!.token}`, "x-request-id": "req-api-away" } });
        expect(res.status).toBe(503);
        const body = (await res.json()) as { error: { message: string } };
        expect(body.error.message).toContain("req-api-away");
        expect(body.error.message).not.toMatch(/ECONNREFUSED|fetch failed/);
      } finally {
        await s.startApi();
      }
    });
  });
});
