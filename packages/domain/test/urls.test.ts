import { describe, expect, it } from "vitest";

import { isOpenRouterUrl } from "../src/index";

describe("isOpenRouterUrl (default rule: https and openrouter.ai or a subdomain)", () => {
  it.each<[unknown, boolean]>([
    ["https://openrouter.ai/api/v1", true],
    ["https://openrouter.ai", true],
    ["https://openrouter.ai/", true],
    ["https://OPENROUTER.AI/api/v1", true],
    ["https://api.openrouter.ai", true],
    ["https://eu.api.openrouter.ai/v1", true],
    ["https://openrouter.ai./api/v1", true],
    ["https://openrouter.ai:443/api/v1", true],
    ["  https://openrouter.ai/api/v1  ", true],
    ["https://openrouter.ai/api/v1?x=1#y", true],
    // Not OpenRouter, however much the string mentions it.
    ["https://evil.example/openrouter.ai/api/v1", false],
    ["https://openrouter.ai.evil.example/api/v1", false],
    ["https://evilopenrouter.ai", false],
    ["https://evil.example/?u=https://openrouter.ai", false],
    ["https://evil.example#openrouter.ai", false],
    ["https://openrouter.ai@evil.example/api/v1", false],
    ["https://xn--openruter-42h.ai", false],
    ["https://openrоuter.ai/api/v1", false], // Cyrillic "о"
    ["https://openrouter.ai../api/v1", false],
    ["https://.openrouter.ai/api/v1", false],
    ["https://a..openrouter.ai/api/v1", false],
    ["https://openrouter.com/api/v1", false],
    // Wrong protocol or credentials.
    ["http://openrouter.ai/api/v1", false],
    ["ws://openrouter.ai/api/v1", false],
    ["ftp://openrouter.ai", false],
    ["https://user:pw@openrouter.ai", false],
    ["https://user@openrouter.ai/api/v1", false],
    ["https://:pw@openrouter.ai/api/v1", false],
    // Not URLs at all.
    ["openrouter.ai", false],
    ["openrouter.ai/api/v1", false],
    ["//openrouter.ai/api/v1", false],
    ["https://", false],
    ["not a url", false],
    ["", false],
    ["   ", false],
    [undefined, false],
    [null, false],
    [42, false],
    [{ href: "https://openrouter.ai" }, false],
    [["https://openrouter.ai"], false],
  ])("%j → %s", (url, expected) => {
    expect(isOpenRouterUrl(url)).toBe(expected);
  });
});

describe("isOpenRouterUrl with extraHosts (the simulator)", () => {
  const origin = ["http://127.0.0.1:4010"];
  const host = ["sim.example.test"];
  const hostWithPort = ["SIM.example.test:8443"];

  it.each<[string, readonly string[], boolean]>([
    // An origin entry: exact origin equality, the only way plain http is accepted.
    ["http://127.0.0.1:4010/api/v1", origin, true],
    ["http://127.0.0.1:4010", origin, true],
    ["http://127.0.0.1:4011/api/v1", origin, false],
    ["http://127.0.0.1/api/v1", origin, false],
    ["https://127.0.0.1:4010/api/v1", origin, false],
    ["http://localhost:4010/api/v1", origin, false],
    ["http://127.0.0.1:4010.evil.example/api/v1", origin, false],
    ["http://user:pw@127.0.0.1:4010/api/v1", origin, false],
    ["https://openrouter.ai/api/v1", origin, true], // the default rule still applies
    ["http://openrouter.ai/api/v1", origin, false],
    // A host entry: exact host, https only.
    ["https://sim.example.test/api/v1", host, true],
    ["https://SIM.EXAMPLE.TEST/api/v1", host, true],
    ["https://sim.example.test:443/api/v1", host, true], // the default port is no port
    ["http://sim.example.test/api/v1", host, false],
    ["https://sim.example.test:8443/api/v1", host, false],
    ["https://api.sim.example.test/api/v1", host, false],
    ["https://sim.example.test.evil.example/api/v1", host, false],
    ["https://evil.example/sim.example.test", host, false],
    ["https://sim.example.test:8443/api/v1", hostWithPort, true],
    ["https://sim.example.test/api/v1", hostWithPort, false],
    // Entries that are not clean origins or hosts never widen the match.
    ["https://evil.example/api/v1", ["evil.example/openrouter"], false],
    ["foo://anything", ["bar://other"], false],
    ["https://evil.example/api/v1", [""], false],
    ["https://evil.example/api/v1", ["not a host at all"], false],
    ["https://evil.example/api/v1", ["user@evil.example"], false],
    ["https://evil.example/api/v1", [], false],
  ])("%s with %j → %s", (url, extraHosts, expected) => {
    expect(isOpenRouterUrl(url, { extraHosts })).toBe(expected);
  });
});
