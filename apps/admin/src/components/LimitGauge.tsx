// The monthly limit as a meter: spent (and reserved in flight) against the limit, with the
// remaining amount; amber from 80 %, red when spent.
import { Trans, useTranslation } from "react-i18next";
import { fixed, money } from "../lib/format";

export interface LimitGaugeProps {
  limitNano: bigint;
  spentNano: bigint;
  reservedNano: bigint;
  remainingNano: bigint;
  usedBp: number;
  level: "ok" | "warning" | "exceeded";
}

export function LimitGauge({ limitNano, spentNano, reservedNano, remainingNano, usedBp, level }: LimitGaugeProps) {
  const { t } = useTranslation();
  const pct = Math.min(100, usedBp / 100);
  const reservedPct = limitNano > 0n ? Math.min(100 - pct, Number((reservedNano * 10_000n) / limitNano) / 100) : 0;
  return (
    <div className={`gauge gauge-${level}`}>
      <div
        className="gauge-track"
        role="meter"
        aria-label={t("limitGauge.label")}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Number(pct.toFixed(1))}
        aria-valuetext={t("limitGauge.valueText", { percent: fixed(pct), limit: money(limitNano) })}
      >
        <div className="gauge-fill" style={{ width: `${pct}%` }} />
        <div className="gauge-reserved" style={{ left: `${pct}%`, width: `${reservedPct}%` }} />
      </div>
      <div className="gauge-legend">
        <span>
          <Trans
            t={t}
            i18nKey="limitGauge.spentOf"
            values={{ spent: money(spentNano), limit: money(limitNano), percent: fixed(usedBp / 100) }}
            components={{ b: <strong /> }}
          />
        </span>
        <span>
          <Trans t={t} i18nKey="limitGauge.remaining" values={{ remaining: money(remainingNano) }} components={{ b: <strong /> }} />
        </span>
      </div>
      {reservedNano > 0n ? <p className="field-hint">{t("limitGauge.reserved", { reserved: money(reservedNano) })}</p> : null}
      {level === "warning" ? (
        <p className="notice notice-warning" role="alert">
          {t("limitGauge.warning")}
        </p>
      ) : null}
      {level === "exceeded" ? (
        <p className="notice notice-error" role="alert">
          {t("limitGauge.exceeded")}
        </p>
      ) : null}
    </div>
  );
}
