// Daily trend: billed cost as bars, requests as a line on a second axis (Recharts). Chart values
// are numbers for drawing only; every figure shown as text comes from the bigint totals.
import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { count, money, nanoToChartUsd, shortDate } from "../lib/format";

export interface DailyPoint {
  date: string;
  requests: number;
  billedCostNano: bigint;
}

export function TrendChart({ days }: { days: readonly DailyPoint[] }) {
  const data = days.map((d) => ({ date: d.date, label: shortDate(d.date), requests: d.requests, billed: nanoToChartUsd(d.billedCostNano), billedNano: d.billedCostNano }));
  const total = days.reduce((sum, d) => sum + d.billedCostNano, 0n);
  // Axis ticks precise enough for the largest day: cents from $1, finer below.
  const max = Math.max(0, ...data.map((d) => d.billed));
  const digits = max >= 100 ? 0 : max >= 1 ? 2 : max >= 0.01 ? 4 : 6;
  return (
    <figure className="chart" aria-label={`Daily billed cost and requests over ${days.length} days, ${money(total)} in all`}>
      <ResponsiveContainer width="100%" height={260}>
        <ComposedChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="var(--border)" />
          <XAxis dataKey="label" tick={{ fontSize: 12 }} interval="preserveStartEnd" minTickGap={16} />
          <YAxis yAxisId="cost" tick={{ fontSize: 12 }} tickFormatter={(v: number) => `$${v.toFixed(digits)}`} width={digits > 2 ? 80 : 64} />
          <YAxis yAxisId="requests" orientation="right" tick={{ fontSize: 12 }} allowDecimals={false} width={48} />
          <Tooltip
            formatter={(value, name, item) => {
              const payload = (item as { payload?: { billedNano: bigint } }).payload;
              return name === "Billed cost" && payload ? [money(payload.billedNano), name] : [count(Number(value)), name];
            }}
          />
          <Legend />
          <Bar yAxisId="cost" dataKey="billed" name="Billed cost" fill="var(--accent)" radius={[3, 3, 0, 0]} isAnimationActive={false} />
          <Line yAxisId="requests" dataKey="requests" name="Requests" stroke="var(--chart-2)" strokeWidth={2} dot={false} isAnimationActive={false} />
        </ComposedChart>
      </ResponsiveContainer>
    </figure>
  );
}
