// A USD figure in the organisation's currency when it has another (PLN first): "1 234,57 zł" after
// the USD one, and the rate's caption with its date — or, with no rate known, the reason in words
// (never a silent 1:1). Nothing at all for an organisation in USD.
import type { ExchangeRate } from "@mai/domain/format";
import { useTranslation } from "react-i18next";
import { serverText } from "../lib/errors";
import { date, formatRateText, moneyIn } from "../lib/format";

export interface DisplayCurrencyData {
  currency: string;
  rate: ExchangeRate | null;
  message: string | null;
  messageKey?: string;
  messageParams?: Record<string, string | number>;
}

/** " · 1 234,57 zł" beside a USD figure; empty when there is nothing to convert to. */
export function ConvertedAmount({ nano, display }: { nano: bigint; display: DisplayCurrencyData | undefined }) {
  if (!display?.rate) return null;
  return <span className="converted"> · {moneyIn(nano, display.rate)}</span>;
}

/** The caption for a section whose converted figures all use one rate: "USD→PLN 3.9876 (NBP, 30 Nov 2026)". */
export function RateCaption({ display }: { display: DisplayCurrencyData | undefined }) {
  const { t } = useTranslation();
  if (!display || display.currency === "USD") return null;
  if (!display.rate) {
    return <p className="field-hint rate-caption">{display.message === null ? null : serverText(display.message, display.messageKey, display.messageParams)}</p>;
  }
  const rate = display.rate;
  // The words of @mai/domain's describeRate, in the reader's language.
  const caption = t("converted.caption", {
    currency: rate.currency,
    rate: formatRateText(rate.rate),
    source: rate.source === "nbp" ? t("converted.sourceNbp") : t("converted.sourceProvider"),
    date: date(rate.effectiveDate),
  });
  return <p className="field-hint rate-caption">{caption}</p>;
}
