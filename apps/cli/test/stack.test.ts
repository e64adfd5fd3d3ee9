// Smoke tests of the two commands a newcomer runs, exactly as the README says (`npm start`,
// `npm run demo`), each on a fresh data directory: readiness, sign-in, one chat request through the
// proxy (the OpenRouter simulator standing in for OpenRouter), the event recorded, Ctrl-C within a
// few seconds — and for `npm start`, a restart that keeps everything.
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { billedCost } from "@mai/domain";
import { FIXTURE_API_KEY, startSimulator, type Simulator } from "@mai/openrouter/simulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, freePort, runNpm, waitUntil, type Running } from "./stack-client";

async function chat(proxyBaseUrl: string, token: string, stream = false): Promise<number> {
  const res = await fetch(`${proxyBaseUrl}/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "openai/gpt-4o-mini", stream, max_tokens: 32, messages: [{ role: "user", content: "Dzień dobry!" }] }),
  });
  await res.text();
  return res.status;
}

describe("npm start", () => {
  let sim: Simulator;
  let dataDir: string;
  let env: Record<string, string>;
  let apiUrl: string;
  let proxyBaseUrl: string;
  let running: Running | undefined;
  let firstPassword = "";

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, generationDelayMs: 0 });
    dataDir = mkdtempSync(join(tmpdir(), "mai-start-"));
    const [apiPort, proxyPort] = [await freePort(), await freePort()];
    apiUrl = `http://127.0.0.1:${apiPort}`;
    proxyBaseUrl = `http://127.0.0.1:${proxyPort}/v1`;
    env = {
      MAI_DATA_DIR: dataDir,
      MAI_API_PORT: String(apiPort),
      MAI_PROXY_PORT: String(proxyPort),
      MAI_OPENROUTER_BASE_URL: sim.url,
      MAI_OPENROUTER_EXTRA_HOSTS: sim.origin,
      MAI_PROXY_USAGE_FLUSH_MS: "50",
    };
  });
  afterAll(async () => {
    if (running && running.child.exitCode === null) await running.interrupt();
    await sim.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("starts on a fresh data directory, serves the dashboard, meters a chat request, stops on Ctrl-C", async () => {
    running = runNpm(["start"], env);
    const banner = await running.waitFor("Ctrl-C stops both");
    expect(banner).toContain(`Dashboard:        ${apiUrl}`);
    expect(banner).toContain(`Proxy base URL:   ${proxyBaseUrl}`);
    const password = /Sign in:\s+admin@mai\.local \/ (\S+)/.exec(banner)?.[1];
    expect(password, banner).toBeDefined();
    firstPassword = password!;

    expect((await fetch(`${apiUrl}/readyz`)).status).toBe(200);
    expect((await fetch(`${proxyBaseUrl.replace(/\/v1$/, "")}/readyz`)).status).toBe(200);
    const page = await (await fetch(`${apiUrl}/usage`)).text();
    expect(page).toContain('<div id="root">');
    expect(page).toContain(`<meta name="mai-proxy-url" content="${proxyBaseUrl}"`);

    // The provider signs in, creates an organisation and a member; the member makes a token.
    const provider = apiClient(apiUrl);
    await provider.auth.login.mutate({ email: "admin@mai.local", password: password! });
    const { organization } = await provider.organizations.create.mutate({ name: "Smoke Test Sp. z o.o.", provisionKey: false, key: FIXTURE_API_KEY, markup: "1.4" });
    const { code } = await provider.members.add.mutate({ organizationId: organization.id, email: "smoke@start.test", role: "member" });
    const member = apiClient(apiUrl);
    // The invitee accepts with a password of their own, and is signed in.
    const joined = await member.auth.acceptInvitation.mutate({ email: "smoke@start.test", code, password: "copper kettles whistle at noon" });
    const { token } = await member.auth.createToken.mutate({ name: "smoke" });

    expect(await chat(proxyBaseUrl, token)).toBe(200);
    const [charge] = sim.ledger({ key: FIXTURE_API_KEY });
    const events = await waitUntil(async () => {
      const page = await provider.usage.events.query({ organizationId: organization.id });
      return page.items.length > 0 ? page.items : undefined;
    });
    expect(events).toHaveLength(1);
    expect("rawCostNano" in events[0]! ? events[0].rawCostNano : undefined).toBe(charge!.costNano);
    expect(events[0]!.billedCostNano).toBe(billedCost(charge!.costNano, 14_000));
    expect(events[0]!.externalUserId).toBe(joined.externalUserId);

    // A clean stop: "Stopped." is printed only when the shutdown finished, before the stack's own
    // 15 s bound would have ended the process (exit code 1, no such line).
    await running.interrupt();
    expect(running.output()).toContain("Stopped.");
    expect(running.output()).not.toMatch(/shutdown failed|Error/);
    // Nothing answers any more.
    await expect(fetch(`${apiUrl}/healthz`)).rejects.toThrow();
  });

  it("restarting keeps every account, organisation and event", async () => {
    running = runNpm(["start"], env);
    const banner = await running.waitFor("Ctrl-C stops both");
    expect(banner).not.toMatch(/shown only now/);
    const provider = apiClient(apiUrl);
    await provider.auth.login.mutate({ email: "admin@mai.local", password: firstPassword });
    const [org] = await provider.organizations.list.query();
    expect(org?.name).toBe("Smoke Test Sp. z o.o.");
    expect((await provider.usage.events.query({ organizationId: org!.id })).items).toHaveLength(1);
    await running.interrupt();
    expect(running.output()).toContain("Stopped.");
  });

  it("SIGTERM mid-stream: the proxy's thread finishes the stream and flushes its usage to the API before the API closes", async () => {
    // Usage batches wait up to 10 s here, so only the shutdown can send this one.
    running = runNpm(["start"], { ...env, MAI_PROXY_USAGE_FLUSH_MS: "10000" });
    await running.waitFor("Ctrl-C stops both");
    const member = apiClient(apiUrl);
    await member.auth.login.mutate({ email: "smoke@start.test", password: "copper kettles whistle at noon" });
    const { token } = await member.auth.createToken.mutate({ name: "sigterm" });
    // 40 tokens 50 ms apart (≈ 2 s): SIGTERM arrives while it streams.
    const res = await fetch(`${proxyBaseUrl}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "openai/gpt-4o-mini@sim:token-latency=50,tokens=40", stream: true, max_tokens: 64, messages: [{ role: "user", content: "Dzień dobry!" }] }),
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let body = decoder.decode((await reader.read()).value as Uint8Array);
    const stopped = running.kill("SIGTERM");
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) body += decoder.decode(chunk.value as Uint8Array);
    expect(body.trimEnd().endsWith("data: [DONE]")).toBe(true);
    await stopped;
    expect(running.output()).toContain("SIGTERM: stopping");
    expect(running.output()).toContain("Stopped.");
    // Flushed to the API, not spooled (the API was still up), and the request journal closed clean.
    expect(readdirSync(join(dataDir, "spool")).filter((f) => /^(usage|journal|rejected)-/.test(f))).toEqual([]);

    running = runNpm(["start"], env);
    await running.waitFor("Ctrl-C stops both");
    const provider = apiClient(apiUrl);
    await provider.auth.login.mutate({ email: "admin@mai.local", password: firstPassword });
    const [org] = await provider.organizations.list.query();
    const events = (await provider.usage.events.query({ organizationId: org!.id })).items;
    expect(events).toHaveLength(2); // the first test's, and this stream's
    await running.interrupt();
    expect(running.output()).toContain("Stopped.");
  });
});

describe("npm run demo", () => {
  let dataDir: string;
  let running: Running | undefined;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), "mai-demo-"));
  });
  afterAll(async () => {
    if (running && running.child.exitCode === null) await running.interrupt();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("seeds three organisations with 30 days of history, keeps traffic flowing through the proxy, stops on Ctrl-C", async () => {
    const [apiPort, proxyPort] = [await freePort(), await freePort()];
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    running = runNpm(["run", "demo", "--", "--every", "250"], { MAI_DATA_DIR: dataDir, MAI_API_PORT: String(apiPort), MAI_PROXY_PORT: String(proxyPort), MAI_DEMO_SIMULATOR_PORT: String(await freePort()) });
    const banner = await running.waitFor("Ctrl-C stops both");
    expect(banner).toMatch(/Seeded [\d,]+ usage events/);
    const provider = apiClient(apiUrl);
    const creds = /Sign in:\s+(\S+) \/ (.+?)\s+\(provider\)/.exec(banner);
    expect(creds, banner).not.toBeNull();
    await provider.auth.login.mutate({ email: creds![1]!, password: creds![2]! });

    const orgs = await provider.organizations.list.query();
    expect(orgs.map((o) => o.name).sort()).toEqual(["Kowalski Consulting", "Nowak Logistics", "Zielona Energia"]);
    const members = await Promise.all(orgs.map((o) => provider.members.list.query({ organizationId: o.id })));
    expect(members.flat()).toHaveLength(12);
    const near = orgs.find((o) => o.name === "Nowak Logistics")!;
    // A few cents short of its limit (the traffic may already have spent them).
    const summary = await provider.usage.summary.query({ organizationId: near.id });
    expect(["warning", "exceeded"]).toContain(summary.limit.level);
    const daily = await provider.usage.daily.query({ organizationId: near.id, days: 30 });
    expect(daily.filter((d) => d.requests > 0).length).toBeGreaterThanOrEqual(25);

    // The traffic generator's requests arrive as new events.
    const requestsNow = async () => {
      let total = 0;
      for (const o of orgs) total += (await provider.usage.summary.query({ organizationId: o.id })).today.requests;
      return total;
    };
    const before = await requestsNow();
    await waitUntil(async () => (await requestsNow()) >= before + 3);

    // Within seconds of traffic every 250 ms, Nowak Logistics' users are refused, and the terminal says so.
    await running.waitFor("Nowak Logistics has spent its monthly limit");

    // A demo member signs in with the password in the credentials table.
    const member = apiClient(apiUrl);
    const row = banner.split("\n").find((l) => l.includes(" anna@nowak.demo "))!;
    const memberPassword = /member\s+Nowak Logistics\s+(.+?)\s{2,}mai_/.exec(row)![1]!;
    expect((await member.auth.login.mutate({ email: "anna@nowak.demo", password: memberPassword })).organizationId).toBe(near.id);

    await running.interrupt();
    expect(running.output()).toContain("Stopped.");
    expect(running.output()).not.toMatch(/shutdown failed/);
  });
});
