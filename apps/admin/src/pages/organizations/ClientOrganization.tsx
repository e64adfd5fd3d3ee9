// A client administrator's view: their organisation as the provider set it up — status, key
// (masked), limit, this month's spend, members — and where statements go. The markup only when the
// API's answer carries it (the provider lets clients see its cost: lib/provider-cost.ts).
import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { EmptyState, ErrorNotice, Notice, Skeleton } from "../../components/Feedback";
import { Card, PageHeader } from "../../components/Page";
import { count, money } from "../../lib/format";
import { carries } from "../../lib/provider-cost";
import { trpc } from "../../trpc";
import { BillingEmailForm } from "./BillingEmailForm";
import { KeyCell, OrganizationStatus, UsedOfLimit } from "./OrganizationCells";
import { UnmeteredCell, useUnmeteredUsage } from "./Unmetered";

export function ClientOrganization() {
  const list = useQuery(trpc.organizations.list.queryOptions());
  const o = list.data?.[0];
  const unmetered = useUnmeteredUsage();
  return (
    <>
      <PageHeader
        title="Organisations"
        description="Your organisation as your provider set it up. You can change where statements go; the rest is up to your provider."
      />
      {list.error ? <ErrorNotice error={list.error} onRetry={() => void list.refetch()} /> : null}
      {o ? (
        <div className="grid grid-2">
          <Card title={o.name}>
            <dl className="dl">
              <dt>Status</dt>
              <dd>
                <OrganizationStatus organization={o} />
              </dd>
              <dt>Billing e-mail</dt>
              <dd>{o.billingEmail ?? <span className="muted">not set</span>}</dd>
              <dt>OpenRouter key</dt>
              <dd>
                <KeyCell organization={o} />
              </dd>
              {carries(o, "markup") ? (
                <>
                  <dt>Markup</dt>
                  <dd>{o.markup}× the OpenRouter cost</dd>
                </>
              ) : null}
              <dt>Monthly limit</dt>
              <dd>{money(o.monthlyLimitNano)}</dd>
              <dt>Spent in {o.period}</dt>
              <dd>
                <div className="org-spend org-spend-left">
                  <span>{money(o.monthToDateNano)}</span>
                  <UsedOfLimit organization={o} />
                </div>
              </dd>
              {/* Usage of your key that did not go through the gateway (e.g. the key used elsewhere). */}
              <dt>Unmetered usage (UTC month)</dt>
              <dd>
                <UnmeteredCell usage={unmetered.get(o.id)} />
              </dd>
              <dt>Members</dt>
              <dd>
                <Link to="/members">{count(o.memberCount)}</Link>
              </dd>
            </dl>
            {o.active ? null : (
              <Notice tone="warning">
                This organisation is deactivated: chat requests are refused. Contact your provider.
              </Notice>
            )}
          </Card>
          <Card title="Where statements go">
            <BillingEmailForm key={o.id} organization={o} />
          </Card>
        </div>
      ) : list.data ? (
        <Card>
          <EmptyState
            title="Your organisation is not set up yet"
            action={<Link to="/connections">Open Connections</Link>}
          >
            Save the OpenRouter key your provider gave you under Connections: that links your account to your
            organisation.
          </EmptyState>
        </Card>
      ) : list.isPending ? (
        <Card>
          <Skeleton lines={6} />
        </Card>
      ) : null}
    </>
  );
}
