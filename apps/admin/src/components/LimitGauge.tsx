// The monthly limit as a meter: spent (and reserved in flight) against the limit, with the
// remaining amount; amber from 80 %, red when spent.
import { Trans, useTranslation } from "react-i18next";
import { fixed, money, moneyIn } from "../lib/format";
import type { DisplayCurrencyData } from "./Converted";

export interface LimitGaugeProps {
  limitNano: bigint;
  spentNano: bigint;
  reservedNano: bigint;
  remainingNano: bigint;
  usedBp: number;
  level: "ok" | "warning" | "exceeded";
}

export function LimitGauge({ limitNano, spentNano, reservedNano, remainingNano, usedBp, level, display }: LimitGaugeProps & { display?: DisplayCurrencyData | undefined }) {
  const rate = display?.rate;
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
      {rate ? (
        <p className="field-hint converted">
          {t("limitGauge.converted", { currency: rate.currency, spent: moneyIn(spentNano, rate), limit: moneyIn(limitNano, rate), remaining: moneyIn(remainingNano, rate) })}
        </p>
      ) : null}
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
