// Why: the same column sums appear on the dashboard (breakdown totals) and in the CSV statement's
// TOTAL row; both must add exactly the same way — counts as integers, money as bigint nano-USD,
// never through a float — so the statement and the screen can never disagree.

export interface UsageFigures {
  requests: number;
  errorRequests: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  rawCostNano: bigint;
  billedCostNano: bigint;
}

const ZERO_USAGE_FIGURES: Readonly<UsageFigures> = Object.freeze({
  requests: 0,
  errorRequests: 0,
  promptTokens: 0,
  completionTokens: 0,
  totalTokens: 0,
  rawCostNano: 0n,
  billedCostNano: 0n,
});

/** Column sums of `rows`; a figure a row does not carry counts as zero. */
export function sumUsageFigures(rows: readonly Partial<UsageFigures>[]): UsageFigures {
  const total: UsageFigures = { ...ZERO_USAGE_FIGURES };
  for (const r of rows) {
    total.requests += r.requests ?? 0;
    total.errorRequests += r.errorRequests ?? 0;
    total.promptTokens += r.promptTokens ?? 0;
    total.completionTokens += r.completionTokens ?? 0;
    total.totalTokens += r.totalTokens ?? 0;
    total.rawCostNano += r.rawCostNano ?? 0n;
    total.billedCostNano += r.billedCostNano ?? 0n;
  }
  return total;
}
