// Daily trend: billed cost as bars, requests as a line on a second axis (Recharts). Chart values
// are numbers for drawing only; every figure shown as text comes from the bigint totals. The chart
// takes its container's width; narrower than NARROW (a phone) it has fewer, smaller ticks and
// slimmer axes so the bars keep most of the width.
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { chartUsd, count, money, nanoToChartUsd, shortDate } from "../lib/format";

export interface DailyPoint {
  date: string;
  requests: number;
  billedCostNano: bigint;
}

const NARROW = 520;

export function TrendChart({ days }: { days: readonly DailyPoint[] }) {
  const { t } = useTranslation();
  const billedName = t("trend.billed");
  const requestsName = t("trend.requests");
  const [width, setWidth] = useState<number | null>(null);
  const narrow = width !== null && width < NARROW;
  const data = days.map((d) => ({ date: d.date, label: shortDate(d.date), requests: d.requests, billed: nanoToChartUsd(d.billedCostNano), billedNano: d.billedCostNano }));
  const total = days.reduce((sum, d) => sum + d.billedCostNano, 0n);
  // Axis ticks precise enough for the largest day: cents from $1, finer below.
  const max = Math.max(0, ...data.map((d) => d.billed));
  const digits = max >= 100 ? 0 : max >= 1 ? 2 : max >= 0.01 ? 4 : 6;
  return (
    <figure className="chart" aria-label={t("trend.label", { count: days.length, total: money(total) })}>
      <ResponsiveContainer width="100%" height={narrow ? 240 : 260} minHeight={220} onResize={(w) => setWidth(w)}>
        <ComposedChart data={data} margin={narrow ? { top: 8, right: 0, bottom: 0, left: 0 } : { top: 8, right: 8, bottom: 0, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="var(--border)" />
          <XAxis dataKey="label" tick={{ fontSize: narrow ? 11 : 12 }} interval="preserveStartEnd" minTickGap={narrow ? 28 : 16} />
          <YAxis
            yAxisId="cost"
            tick={{ fontSize: narrow ? 11 : 12 }}
            tickCount={narrow ? 4 : 5}
            tickFormatter={(v: number) => chartUsd(v, digits)}
            width={narrow ? (digits > 2 ? 64 : 48) : digits > 2 ? 80 : 64}
          />
          <YAxis yAxisId="requests" orientation="right" tick={{ fontSize: narrow ? 11 : 12 }} tickCount={narrow ? 4 : 5} allowDecimals={false} width={narrow ? 32 : 48} />
          <Tooltip
            formatter={(value, name, item) => {
              const payload = (item as { payload?: { billedNano: bigint } }).payload;
              return name === billedName && payload ? [money(payload.billedNano), name] : [count(Number(value)), name];
            }}
          />
          <Legend />
          <Bar yAxisId="cost" dataKey="billed" name={billedName} fill="var(--accent)" radius={[3, 3, 0, 0]} isAnimationActive={false} />
          <Line yAxisId="requests" dataKey="requests" name={requestsName} stroke="var(--chart-2)" strokeWidth={2} dot={false} isAnimationActive={false} />
        </ComposedChart>
      </ResponsiveContainer>
    </figure>
  );
}
