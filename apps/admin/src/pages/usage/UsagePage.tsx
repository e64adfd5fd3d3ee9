// Usage: per-user and per-model breakdowns over a range of local days (default: the current billing
// month, as the API defaults), the request events newest first, and the monthly CSV statement. The
// filters live in the URL (?from&to&user&model&status; see filters.ts). Scope: the provider's
// organisation in the switcher, a client administrator's own, a member's own usage (no organisation
// is named; the server scopes it). This file says what shows before there is a scope to report on.
import { Link } from "@tanstack/react-router";
import { Trans, useTranslation } from "react-i18next";
import { EmptyState, Skeleton } from "../../components/Feedback";
import { Card, PageHeader } from "../../components/Page";
import { useMe, useOrgScope } from "../../session";
import { UsageReport } from "./UsageReport";

export default function Usage() {
  const { t } = useTranslation("usage");
  const me = useMe();
  const scope = useOrgScope();

  if (me.role === "provider_admin") {
    if (scope.isLoading) {
      return (
        <>
          <PageHeader title={t("title")} />
          <Card>
            <Skeleton lines={6} />
          </Card>
        </>
      );
    }
    if (!scope.organizationId) {
      return (
        <>
          <PageHeader title={t("title")} />
          <Card>
            <EmptyState
              title={t("noOrganizations.title")}
              action={<Link to="/organizations">{t("noOrganizations.action")}</Link>}
            >
              {t("noOrganizations.body")}
            </EmptyState>
          </Card>
        </>
      );
    }
  } else if (!me.organizationId) {
    return (
      <>
        <PageHeader title={t("title")} />
        <Card>
          {me.role === "org_admin" ? (
            <EmptyState
              title={t("notLinked.title")}
              action={<Link to="/connections">{t("notLinked.action")}</Link>}
            >
              {t("notLinked.body")}
            </EmptyState>
          ) : (
            <EmptyState title={t("notMember.title")}>
              <Trans t={t} i18nKey="notMember.body" components={{ a: <Link to="/" /> }} />
            </EmptyState>
          )}
        </Card>
      </>
    );
  }

  // Members name no organisation: the server scopes them to their own usage.
  const organizationId = me.role === "member" ? undefined : scope.organizationId;
  return (
    <UsageReport
      key={organizationId ?? "own"}
      organizationId={organizationId}
      organizationName={scope.organization?.name}
    />
  );
}
