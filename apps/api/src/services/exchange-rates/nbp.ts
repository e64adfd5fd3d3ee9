// The daily fetch of NBP's table A mid rate (the National Bank of Poland's USD rate in PLN, the
// documented rate of converted figures and statements; README "Display currency"). For every
// display currency in use that NBP can give — PLN: NBP publishes rates in złoty — the job asks for
// the last NBP_LOOKBACK_DAYS days (`GET {MAI_NBP_URL}/api/exchangerates/rates/a/usd/{start}/{end}/
// ?format=json`) and stores each day's rate once; a range without a table (404 "Brak danych": a
// weekend, a holiday) stores nothing and is no error. The call has a timeout and reads at most
// 64 KiB; `mid` is read from the JSON text's digits (@mai/domain parseNbpRates), never a float.
// Unreachable, a 5xx or an unreadable answer: logged, retried on the next run — the provider can
// enter the rate meanwhile (exchangeRates.set). Another display currency (EUR…) has no NBP USD
// cross rate in exact decimals: its rates are the provider's to enter.
import { displayCurrencies, getGlobalSettings, storeNbpRates } from "@mai/db";
import { DomainError, localDate, nbpFetchRange, parseNbpRates, type NbpRate } from "@mai/domain";
import type { AppDeps } from "../../deps";
import { scheduleJob, type ScheduledJob } from "../schedule";

const MAX_ANSWER_BYTES = 64 * 1024;
/** The display currencies NBP's table A gives a USD rate in. */
const NBP_CURRENCIES = new Set(["PLN"]);

export interface ExchangeRateRefresh {
  /** Per display currency: days stored (new or changed), or why none could be. */
  currencies: { currency: string; stored: number; error: string | null }[];
}

/** NBP's USD rates (PLN per USD) effective within [start, end]; [] when NBP has no table in it. */
export async function fetchNbpUsdRates(deps: Pick<AppDeps, "env">, start: string, end: string): Promise<NbpRate[]> {
  const base = deps.env.MAI_NBP_URL.replace(/\/+$/, "");
  const url = `${base}/api/exchangerates/rates/a/usd/${start}/${end}/?format=json`;
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { accept: "application/json" },
      redirect: "error",
      signal: AbortSignal.timeout(deps.env.MAI_NBP_TIMEOUT_MS),
    });
  } catch (error) {
    const timedOut = (error as Error).name === "TimeoutError";
    throw new DomainError("UPSTREAM_UNAVAILABLE", timedOut ? "NBP did not answer in time." : "NBP could not be reached.");
  }
  if (response.status === 404) {
    await response.body?.cancel();
    return [];
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new DomainError("UPSTREAM_UNAVAILABLE", `NBP answered ${response.status}.`);
  }
  const text = await readBounded(response);
  try {
    return parseNbpRates(text, "USD");
  } catch {
    throw new DomainError("UPSTREAM_UNAVAILABLE", "NBP's answer could not be read as a table A series.");
  }
}

async function readBounded(response: Response): Promise<string> {
  const reader = (response.body as ReadableStream<Uint8Array> | null)?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_ANSWER_BYTES) {
      await reader.cancel();
      throw new DomainError("UPSTREAM_UNAVAILABLE", "NBP's answer is larger than expected.");
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** One run: every display currency in use, the last NBP_LOOKBACK_DAYS days up to today (billing time zone). */
export async function refreshExchangeRates(deps: AppDeps): Promise<ExchangeRateRefresh> {
  const currencies = await displayCurrencies(deps.db);
  const { billingTimeZone } = await getGlobalSettings(deps.db);
  const { start, end } = nbpFetchRange(localDate(deps.now(), billingTimeZone));
  const result: ExchangeRateRefresh = { currencies: [] };
  for (const currency of currencies) {
    if (!NBP_CURRENCIES.has(currency)) {
      result.currencies.push({ currency, stored: 0, error: `NBP gives no USD→${currency} rate: the provider enters it.` });
      continue;
    }
    try {
      const rates = await fetchNbpUsdRates(deps, start, end);
      result.currencies.push({ currency, stored: await storeNbpRates(deps.db, currency, rates, deps.now()), error: null });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      deps.logger.warn({ currency, reason: error.message }, "exchange rates not fetched from NBP");
      result.currencies.push({ currency, stored: 0, error: error.message });
    }
  }
  return result;
}

/** Every MAI_NBP_INTERVAL_MS (0: never), and once at start. */
export function scheduleExchangeRates(deps: AppDeps): ScheduledJob {
  const job = scheduleJob(deps, deps.env.MAI_NBP_INTERVAL_MS, "exchange rate fetch failed", () => refreshExchangeRates(deps));
  if (deps.env.MAI_NBP_INTERVAL_MS > 0) job.run().catch(() => undefined); // run() logs its failures itself
  return job;
}
