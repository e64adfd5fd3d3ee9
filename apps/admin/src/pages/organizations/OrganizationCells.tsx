// How an organisation's status, key and spend read, in the provider's table and on the client
// administrator's card alike.
import { evaluateMonthlyLimit } from "@mai/domain/monthly-limit";
import { useTranslation } from "react-i18next";
import { Badge } from "../../components/Feedback";
import { dateTime, percent } from "../../lib/format";
import type { Organization } from "../../session";

/** "12.3 % of the limit", coloured by the domain's limit level (amber from 80 %, red once a request is refused for good). */
export function UsedOfLimit({ organization: o }: { organization: Organization }) {
  const { t } = useTranslation("organizations");
  const { usedBp, level } = evaluateMonthlyLimit({
    spentNano: o.monthToDateNano,
    reservedNano: 0n,
    requestNano: 0n,
    limitNano: o.monthlyLimitNano,
    refusedMinNano: o.refusedMinNano,
  });
  return <span className={`org-used org-used-${level}`}>{t("cells.ofLimit", { percent: percent(usedBp / 100) })}</span>;
}

export function OrganizationStatus({ organization }: { organization: Organization }) {
  const { t } = useTranslation("organizations");
  return organization.active ? (
    <Badge tone="success">{t("cells.active")}</Badge>
  ) : (
    <span
      title={organization.deactivatedAt ? t("cells.deactivatedAt", { date: dateTime(organization.deactivatedAt) }) : undefined}
    >
      <Badge tone="neutral">{t("cells.inactive")}</Badge>
    </span>
  );
}

export function KeyCell({ organization }: { organization: Organization }) {
  const { t } = useTranslation("organizations");
  if (!organization.keyHint) return <span className="muted">{t("cells.noKey")}</span>;
  return (
    <div className="org-key">
      <code>{organization.keyHint}</code>
      <span className="muted">{organization.keySource ? t(`cells.source.${organization.keySource}`) : t("cells.unknownSource")}</span>
    </div>
  );
}
