// Display currency against an NBP stand-in (node:http on loopback, answering as api.nbp.pl does:
// `GET /api/exchangerates/rates/a/usd/{start}/{end}/?format=json` → {"table":"A","currency":"dolar
// amerykański","code":"USD","rates":[{"no","effectiveDate","mid"}]}, 404 "Not Found - Brak danych"
// for a range without a table). The API's clock is fixed at Wednesday 2 December 2026, 11:00 in
// Warsaw. Checked: a rate fetched and stored; the rate a figure uses (weekend → Friday's); a range
// without a table; NBP unreachable → the provider's rate used; no rate → a message in words; the
// CSV statement of an organisation in PLN with exact converted amounts (computed here with bigint
// arithmetic, independently of @mai/domain).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import { testDrivers } from "@mai/db/testing";
import { billedCost } from "@mai/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness, trpcCode, usageBatch } from "./harness";

interface Standin {
  url: string;
  /** effectiveDate → [mid as NBP writes it, table number] */
  tables: Map<string, [string, string]>;
  mode: "up" | "down" | "hang";
  requests: string[];
  close(): Promise<void>;
}

async function startNbpStandin(): Promise<Standin> {
  const state = { tables: new Map<string, [string, string]>(), mode: "up" as Standin["mode"], requests: [] as string[] };
  const server: Server = createServer((req, res) => {
    state.requests.push(req.url ?? "");
    if (state.mode === "hang") return; // never answers: the API's timeout must end the call
    if (state.mode === "down") {
      res.writeHead(503, { "content-type": "text/plain" }).end("Service Unavailable");
      return;
    }
    const m = /^\/api\/exchangerates\/rates\/a\/usd\/(\d{4}-\d{2}-\d{2})\/(\d{4}-\d{2}-\d{2})\/\?format=json$/.exec(req.url ?? "");
    if (!m) {
      res.writeHead(400, { "content-type": "text/plain" }).end("400 BadRequest");
      return;
    }
    const [, start, end] = m;
    const days = [...state.tables.entries()].filter(([d]) => d >= start! && d <= end!).sort(([a], [b]) => a.localeCompare(b));
    if (days.length === 0) {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("404 NotFound - Not Found - Brak danych");
      return;
    }
    // The mid is written as NBP writes it: a JSON number token, digits as given.
    const rates = days.map(([d, [mid, no]]) => `{"no":"${no}","effectiveDate":"${d}","mid":${mid}}`).join(",");
    res
      .writeHead(200, { "content-type": "application/json; charset=utf-8" })
      .end(`{"table":"A","currency":"dolar amerykański","code":"USD","rates":[${rates}]}`);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get tables() {
      return state.tables;
    },
    get mode() {
      return state.mode;
    },
    set mode(m) {
      state.mode = m;
    },
    requests: state.requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** nano × units / 10^(9 + scale) as an exact decimal, trailing zeros trimmed — written here, not imported. */
function expectedDecimal(nano: bigint, units: bigint, scale: number): string {
  const v = nano * units;
  const d = 10n ** BigInt(9 + scale);
  const fraction = (v % d).toString().padStart(9 + scale, "0").replace(/0+$/, "");
  return `${v / d}${fraction ? `.${fraction}` : ""}`;
}

const NOW = new Date("2026-12-02T10:00:00Z"); // Wednesday, 11:00 in Warsaw

describe.each(testDrivers())("display currency and NBP rates on %s", (driver) => {
  let h: Harness;
  let nbp: Standin;
  let org: Awaited<ReturnType<Harness["org"]>>;
  let provider: Awaited<ReturnType<Harness["user"]>>;

  beforeAll(async () => {
    nbp = await startNbpStandin();
    h = await createHarness(driver, { MAI_NBP_URL: nbp.url, MAI_NBP_TIMEOUT_MS: "3000", MAI_NBP_INTERVAL_MS: "0" });
    h.deps.now = () => NOW;
    provider = await h.user("provider_admin");
    await h.caller(provider).globalSettings.update({ billingTimeZone: "Europe/Warsaw" });
    org = await h.org(`Złoty ${randomUUID().slice(0, 6)}`);
    // NBP's week: Thursday 26 to Tuesday 1 December (no table on the weekend).
    nbp.tables.set("2026-11-26", ["3.9901", "231/A/NBP/2026"]);
    nbp.tables.set("2026-11-27", ["3.9912", "232/A/NBP/2026"]);
    nbp.tables.set("2026-11-30", ["3.98760", "233/A/NBP/2026"]);
    nbp.tables.set("2026-12-01", ["4.0011", "234/A/NBP/2026"]);
  });
  afterAll(async () => {
    await h?.close();
    await nbp?.close();
  });

  it("an organisation in USD converts nothing and asks NBP nothing", async () => {
    expect(await h.caller(org.admin).usage.currency()).toEqual({ timeZone: "Europe/Warsaw", currency: "USD", before: "2026-12-02", rate: null, message: null });
    expect(await h.caller(provider).exchangeRates.refresh()).toEqual({ currencies: [] });
    expect(nbp.requests).toEqual([]);
  });

  it("no rate known: a message in words, never a silent 1:1", async () => {
    expect(await h.caller(provider).organizations.setCurrency({ organizationId: org.id, currency: "pln" })).toEqual({
      organizationId: org.id,
      currency: "PLN",
      effectiveCurrency: "PLN",
    });
    // The organisations list says each one's currency: its own, else the global setting's (USD here).
    const listed = await h.caller(provider).organizations.list();
    expect(listed.find((o) => o.id === org.id)?.currency).toBe("PLN");
    expect(listed.filter((o) => o.id !== org.id).every((o) => o.currency === "USD")).toBe(true);
    expect((await h.caller(org.admin).organizations.list()).map((o) => o.currency)).toEqual(["PLN"]);
    const shown = await h.caller(org.admin).usage.currency();
    expect(shown).toMatchObject({ currency: "PLN", rate: null });
    expect(shown.message).toMatch(/^No USD→PLN exchange rate is known for a day before 2026-12-02/);
    // Its catalog key and parameters, for a dashboard that says it in its reader's language.
    expect(shown).toMatchObject({ messageKey: "rates.none", messageParams: { currency: "PLN", before: "2026-12-02" } });
    // The CSV then carries the books' USD only.
    const csv = await h.caller(org.admin).usage.exportCsv({ month: "2026-11" });
    expect(csv.content.split("\r\n")[0]).not.toMatch(/billed_pln/);
  });

  it("fetches and stores NBP's rates (the mid's digits as written); a figure uses the last before its day", async () => {
    const refreshed = await h.caller(provider).exchangeRates.refresh();
    expect(refreshed).toEqual({ currencies: [{ currency: "PLN", stored: 4, error: null }] });
    expect(nbp.requests.at(-1)).toBe("/api/exchangerates/rates/a/usd/2026-11-18/2026-12-02/?format=json");
    expect((await h.caller(provider).exchangeRates.list({ currency: "PLN" })).map((r) => [r.effectiveDate, r.rate])).toEqual([
      ["2026-12-01", "4.0011"],
      ["2026-11-30", "3.9876"],
      ["2026-11-27", "3.9912"],
      ["2026-11-26", "3.9901"],
    ]);
    // Again: nothing new, nothing rewritten.
    expect(await h.caller(provider).exchangeRates.refresh()).toEqual({ currencies: [{ currency: "PLN", stored: 0, error: null }] });

    // Month to date: before today (2 December) → 1 December's.
    expect(await h.caller(org.admin).usage.currency()).toEqual({
      timeZone: "Europe/Warsaw",
      currency: "PLN",
      before: "2026-12-02",
      rate: { currency: "PLN", rate: "4.0011", effectiveDate: "2026-12-01", source: "nbp", tableNo: "234/A/NBP/2026" },
      message: null,
    });
    // November's statement: dated 1 December → Monday 30 November's (the month's last business day).
    expect((await h.caller(org.admin).usage.currency({ month: "2026-11" })).rate).toMatchObject({ effectiveDate: "2026-11-30", rate: "3.9876" });
    // Seen on Sunday 29 November: Friday's.
    h.deps.now = () => new Date("2026-11-29T12:00:00Z");
    try {
      expect((await h.caller(org.admin).usage.currency()).rate).toMatchObject({ effectiveDate: "2026-11-27", rate: "3.9912" });
    } finally {
      h.deps.now = () => NOW;
    }
  });

  it("a range without a table (404 Brak danych) stores nothing and is no error", async () => {
    h.deps.now = () => new Date("2027-03-01T10:00:00Z");
    try {
      expect(await h.caller(provider).exchangeRates.refresh()).toEqual({ currencies: [{ currency: "PLN", stored: 0, error: null }] });
      expect(nbp.requests.at(-1)).toBe("/api/exchangerates/rates/a/usd/2027-02-15/2027-03-01/?format=json");
    } finally {
      h.deps.now = () => NOW;
    }
  });

  it("NBP unreachable (5xx, or no answer in time): said in words; the provider's rate for the day is then used", async () => {
    h.deps.now = () => new Date("2026-12-04T10:00:00Z"); // Friday; Thursday 3 December's table is missing
    try {
      nbp.mode = "down";
      expect(await h.caller(provider).exchangeRates.refresh()).toEqual({ currencies: [{ currency: "PLN", stored: 0, error: "NBP answered 503." }] });
      nbp.mode = "hang";
      const started = Date.now();
      expect(await h.caller(provider).exchangeRates.refresh()).toEqual({
        currencies: [{ currency: "PLN", stored: 0, error: "NBP did not answer in time." }],
      });
      expect(Date.now() - started).toBeLessThan(15_000);
      nbp.mode = "up";
      // Without the 3 December rate the page uses the 1st's; the provider enters the 3rd's.
      expect((await h.caller(org.admin).usage.currency()).rate).toMatchObject({ effectiveDate: "2026-12-01" });
      expect(await trpcCode(h.caller(org.admin).exchangeRates.set({ currency: "PLN", effectiveDate: "2026-12-03", rate: "4.05" }))).toBe("FORBIDDEN");
      expect(await h.caller(provider).exchangeRates.set({ currency: "pln", effectiveDate: "2026-12-03", rate: "4.0500" })).toEqual({
        currency: "PLN",
        rate: "4.05",
        effectiveDate: "2026-12-03",
        source: "provider",
        tableNo: null,
      });
      expect((await h.caller(org.admin).usage.currency()).rate).toMatchObject({ effectiveDate: "2026-12-03", rate: "4.05", source: "provider" });
      // NBP's own day cannot be overridden; a malformed rate is refused in words.
      expect(await trpcCode(h.caller(provider).exchangeRates.set({ currency: "PLN", effectiveDate: "2026-12-01", rate: "4.2" }))).toBe("CONFLICT");
      expect(await trpcCode(h.caller(provider).exchangeRates.set({ currency: "PLN", effectiveDate: "2026-12-03", rate: "4,05" }))).toBe("BAD_REQUEST");
      const audit = await h.caller(provider).audit.list({ action: "exchange_rate.entered" });
      expect(audit.items[0]).toMatchObject({ action: "exchange_rate.entered", targetId: "PLN:2026-12-03", after: { rate: "4.05", source: "provider" } });
    } finally {
      nbp.mode = "up";
      h.deps.now = () => NOW;
    }
  });

  it("the CSV statement of an organisation in PLN: exact converted amounts at November's rate, its day and source", async () => {
    const user = await h.user("member", { organizationId: org.id });
    const raws = [1_234_567_891n, 12_308n, 987_654_321_987n];
    await h.internal().internal.recordUsage(
      usageBatch(
        raws.map((raw, i) => ({
          generationId: `gen-pln-${driver}-${i}`,
          organizationId: org.id,
          userId: user.id,
          externalUserId: user.externalUserId!,
          model: `openai/model-${i}`,
          promptTokens: 10,
          completionTokens: 5,
          rawCostNano: raw,
          markupBp: 13_000,
          status: "ok" as const,
          streamed: false,
          occurredAt: new Date(`2026-11-1${i}T12:00:00Z`),
        })),
      ),
    );
    const csv = await h.caller(provider).usage.exportCsv({ organizationId: org.id, month: "2026-11" });
    const lines = csv.content.trimEnd().split("\r\n").map((l) => l.split(","));
    const header = lines[0]!;
    expect(header.slice(-5)).toEqual(["billed_pln", "rate", "rate_date", "rate_source", "rate_table"]);
    const col = (name: string) => header.indexOf(name);
    const body = lines.slice(1, -1);
    expect(body).toHaveLength(3);
    let total = 0n;
    for (const [i, raw] of raws.entries()) {
      const billed = billedCost(raw, 13_000);
      total += billed;
      const line = body.find((cells) => cells[col("model")] === `openai/model-${i}`)!;
      expect(line[col("billed_pln")]).toBe(expectedDecimal(billed, 39_876n, 4));
      expect([line[col("rate")], line[col("rate_date")], line[col("rate_source")], line[col("rate_table")]]).toEqual([
        "3.9876",
        "2026-11-30",
        "nbp",
        "233/A/NBP/2026",
      ]);
    }
    const totalLine = lines.at(-1)!;
    expect(totalLine[0]).toBe("TOTAL");
    expect(totalLine[col("billed_pln")]).toBe(expectedDecimal(total, 39_876n, 4));
    // One rounding per figure, none here: the lines add up to the TOTAL exactly.
    const scaled = (text: string) => {
      const [whole, fraction = ""] = text.split(".");
      return BigInt(`${whole}${fraction.padEnd(13, "0")}`);
    };
    const sum = body.reduce((acc, cells) => acc + scaled(cells[col("billed_pln")]!), 0n);
    expect(sum).toBe(total * 39_876n);
  });
});
