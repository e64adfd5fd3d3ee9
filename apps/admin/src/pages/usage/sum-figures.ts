// The figures every usage row carries, and their column sums. Money is bigint nano-USD, summed as
// bigints (never through a float) and formatted only by lib/format.

export interface Figures {
  requests: number;
  errorRequests: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  rawCostNano: bigint;
  billedCostNano: bigint;
}

/** Column sums: counts as integers, money as bigint nano-USD (never through a float). */
export function sumFigures(rows: readonly Figures[]): Figures {
  const total: Figures = {
    requests: 0,
    errorRequests: 0,
    promptTokens: 0,
    completionTokens: 0,
    totalTokens: 0,
    rawCostNano: 0n,
    billedCostNano: 0n,
  };
  for (const r of rows) {
    total.requests += r.requests;
    total.errorRequests += r.errorRequests;
    total.promptTokens += r.promptTokens;
    total.completionTokens += r.completionTokens;
    total.totalTokens += r.totalTokens;
    total.rawCostNano += r.rawCostNano;
    total.billedCostNano += r.billedCostNano;
  }
  return total;
}
