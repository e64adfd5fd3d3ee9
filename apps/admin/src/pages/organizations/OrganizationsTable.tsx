// The provider's table of client organisations: select a name to make it the organisation in scope
// on the other pages; each row's actions name the organisation to assistive technology. An
// organisation shown in another currency than USD (PLN) has its limit and spend converted at the
// month-to-date rate, captioned once per currency under the table; converted figures are never summed.
import { Link } from "@tanstack/react-router";
import { useTranslation } from "react-i18next";
import { Button } from "../../components/Button";
import { ConvertedAmount, RateCaption } from "../../components/Converted";
import { DataTable, type Column } from "../../components/DataTable";
import { Badge } from "../../components/Feedback";
import { useDisplayCurrencies } from "../../lib/display";
import { count, markupText, money } from "../../lib/format";
import { carries } from "../../lib/provider-cost";
import type { Organization } from "../../session";
import { KeyCell, OrganizationStatus, UsedOfLimit } from "./OrganizationCells";
import { UnmeteredCell, type UnmeteredUsage } from "./Unmetered";

const nameId = (o: Organization) => `org-name-${o.id}`;

export interface OrganizationsTableProps {
  rows: readonly Organization[];
  /** The organisation in scope on the other pages. */
  inScopeId: string | undefined;
  onSelect: (organization: Organization) => void;
  onEdit: (organization: Organization) => void;
  onRotate: (organization: Organization) => void;
  onSetKey: (organization: Organization) => void;
  onDeactivate: (organization: Organization) => void;
  /** This UTC month's key-level reconciliation, by organisation id. */
  unmetered?: ReadonlyMap<string, UnmeteredUsage>;
  onBillUnmetered?: (usage: UnmeteredUsage) => void;
}

export function OrganizationsTable({
  rows,
  inScopeId,
  onSelect,
  onEdit,
  onRotate,
  onSetKey,
  onDeactivate,
  unmetered,
  onBillUnmetered,
}: OrganizationsTableProps) {
  const { t } = useTranslation("organizations");
  const rates = useDisplayCurrencies(rows);
  const columns: Column<Organization>[] = [
    {
      key: "name",
      header: t("table.name"),
      sortValue: (o) => o.name.toLowerCase(),
      cell: (o) => {
        const inScope = o.id === inScopeId;
        return (
          <div className="org-name">
            <span className="row">
              <button
                type="button"
                id={nameId(o)}
                className="link-button org-name-button"
                title={
                  inScope
                    ? t("table.inScopeTitle")
                    : t("table.selectTitle")
                }
                onClick={() => onSelect(o)}
              >
                {o.name}
              </button>
              {inScope ? <Badge tone="info">{t("table.inScope")}</Badge> : null}
            </span>
            {o.billingEmail ? <span className="muted">{o.billingEmail}</span> : null}
          </div>
        );
      },
    },
    {
      key: "status",
      header: t("table.status"),
      sortValue: (o) => (o.active ? 0 : 1),
      cell: (o) => <OrganizationStatus organization={o} />,
    },
    {
      key: "key",
      header: t("table.key"),
      sortValue: (o) => o.keySource ?? null,
      cell: (o) => <KeyCell organization={o} />,
    },
    {
      key: "markup",
      header: t("table.markup"),
      align: "right",
      // The provider's table: its answer always carries the markup (lib/provider-cost.ts).
      sortValue: (o) => (carries(o, "markupBp") ? o.markupBp : null),
      cell: (o) => (carries(o, "markup") ? `${markupText(o.markup)}×` : "—"),
    },
    {
      key: "limit",
      header: t("table.monthlyLimit"),
      align: "right",
      sortValue: (o) => o.monthlyLimitNano,
      cell: (o) => (
        <>
          {money(o.monthlyLimitNano)}
          <ConvertedAmount nano={o.monthlyLimitNano} display={rates.get(o.currency)} />
        </>
      ),
    },
    {
      key: "spend",
      header: t("table.monthToDate"),
      align: "right",
      sortValue: (o) => o.monthToDateNano,
      cell: (o) => (
        <div className="org-spend">
          <span>
            {money(o.monthToDateNano)}
            <ConvertedAmount nano={o.monthToDateNano} display={rates.get(o.currency)} />
          </span>
          <UsedOfLimit organization={o} />
        </div>
      ),
    },
    {
      key: "unmetered",
      header: t("table.unmetered"),
      align: "right",
      sortValue: (o) => {
        const check = unmetered?.get(o.id)?.check;
        return check ? (carries(check, "unmeteredNano") ? check.unmeteredNano : check.unmeteredBilledNano) : null;
      },
      cell: (o) => <UnmeteredCell usage={unmetered?.get(o.id)} onBill={onBillUnmetered} nameId={nameId(o)} />,
    },
    {
      key: "members",
      header: t("table.members"),
      align: "right",
      sortValue: (o) => o.memberCount,
      cell: (o) => (
        <Link to="/members" search={{ org: o.id }} aria-describedby={nameId(o)} title={t("table.showMembers")}>
          {count(o.memberCount)}
        </Link>
      ),
    },
    {
      key: "actions",
      header: t("table.actions"),
      align: "right",
      cell: (o) => (
        <div className="org-actions">
          <Button size="sm" variant="ghost" aria-describedby={nameId(o)} onClick={() => onEdit(o)}>
            {t("table.edit")}
          </Button>
          {o.provisioned ? (
            <Button size="sm" variant="ghost" aria-describedby={nameId(o)} onClick={() => onRotate(o)}>
              {t("table.rotateKey")}
            </Button>
          ) : null}
          <Button size="sm" variant="ghost" aria-describedby={nameId(o)} onClick={() => onSetKey(o)}>
            {t("table.setKey")}
          </Button>
          {o.active ? (
            <Button
              size="sm"
              variant="ghost"
              className="org-danger"
              aria-describedby={nameId(o)}
              onClick={() => onDeactivate(o)}
            >
              {t("table.deactivate")}
            </Button>
          ) : null}
        </div>
      ),
    },
  ];

  return (
    <div className="org-table">
      <DataTable
        rows={rows}
        columns={columns}
        rowKey={(o) => o.id}
        caption={t("table.caption")}
        initialSort={{ key: "name", direction: "asc" }}
      />
      {[...rates].map(([currency, display]) => (
        <RateCaption key={currency} display={display} />
      ))}
    </div>
  );
}
