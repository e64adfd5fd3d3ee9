// Usage: per-user and per-model breakdowns over a range of local days (default: the current billing
// month, as the API defaults), the request events newest first, and the monthly CSV statement. The
// filters live in the URL (?from&to&user&model&status; see filters.ts). Scope: the provider's
// organisation in the switcher, a client administrator's own, a member's own usage (no organisation
// is named; the server scopes it). This file says what shows before there is a scope to report on.
import { Link } from "@tanstack/react-router";
import { EmptyState, Skeleton } from "../../components/Feedback";
import { Card, PageHeader } from "../../components/Page";
import { useMe, useOrgScope } from "../../session";
import { UsageReport } from "./UsageReport";

export default function Usage() {
  const me = useMe();
  const scope = useOrgScope();

  if (me.role === "provider_admin") {
    if (scope.isLoading) {
      return (
        <>
          <PageHeader title="Usage" />
          <Card>
            <Skeleton lines={6} />
          </Card>
        </>
      );
    }
    if (!scope.organizationId) {
      return (
        <>
          <PageHeader title="Usage" />
          <Card>
            <EmptyState
              title="No organisations yet"
              action={<Link to="/organizations">Create the first organisation</Link>}
            >
              Usage is reported per organisation. Once a client organisation exists and chats through the
              proxy, its requests and costs show here.
            </EmptyState>
          </Card>
        </>
      );
    }
  } else if (!me.organizationId) {
    return (
      <>
        <PageHeader title="Usage" />
        <Card>
          {me.role === "org_admin" ? (
            <EmptyState
              title="Your account is not linked to an organisation yet"
              action={<Link to="/connections">Open Connections</Link>}
            >
              Save your organisation's OpenRouter key under Connections; the gateway then links your account
              to its organisation.
            </EmptyState>
          ) : (
            <EmptyState title="You are not in an organisation yet">
              Ask your organisation's administrator to invite you, and accept the invitation on your{" "}
              <Link to="/">overview</Link>; your usage shows here afterwards.
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
