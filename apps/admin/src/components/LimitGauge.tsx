// The monthly limit as a meter: spent (and reserved in flight) against the limit, with the
// remaining amount; amber from 80 %, red when spent.
import { money } from "../lib/format";

export interface LimitGaugeProps {
  limitNano: bigint;
  spentNano: bigint;
  reservedNano: bigint;
  remainingNano: bigint;
  usedBp: number;
  level: "ok" | "warning" | "exceeded";
}

export function LimitGauge({ limitNano, spentNano, reservedNano, remainingNano, usedBp, level }: LimitGaugeProps) {
  const pct = Math.min(100, usedBp / 100);
  const reservedPct = limitNano > 0n ? Math.min(100 - pct, Number((reservedNano * 10_000n) / limitNano) / 100) : 0;
  return (
    <div className={`gauge gauge-${level}`}>
      <div
        className="gauge-track"
        role="meter"
        aria-label="Monthly limit used"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Number(pct.toFixed(1))}
        aria-valuetext={`${pct.toFixed(1)} % of ${money(limitNano)} used`}
      >
        <div className="gauge-fill" style={{ width: `${pct}%` }} />
        <div className="gauge-reserved" style={{ left: `${pct}%`, width: `${reservedPct}%` }} />
      </div>
      <div className="gauge-legend">
        <span>
          <strong>{money(spentNano)}</strong> of {money(limitNano)} ({(usedBp / 100).toFixed(1)} %)
        </span>
        <span>
          <strong>{money(remainingNano)}</strong> remaining
        </span>
      </div>
      {reservedNano > 0n ? <p className="field-hint">{money(reservedNano)} reserved by requests in flight.</p> : null}
      {level === "warning" ? (
        <p className="notice notice-warning" role="alert">
          Over 80 % of the monthly limit is spent. Requests are refused once it is reached.
        </p>
      ) : null}
      {level === "exceeded" ? (
        <p className="notice notice-error" role="alert">
          The monthly limit is spent: what is left does not cover the requests being made, so chat requests are refused
          until the next billing month or a higher limit.
        </p>
      ) : null}
    </div>
  );
}
