// The members of the organisation in scope: who they are, their role and the external user id the
// gateway sends to OpenRouter for them. Administrators invite people (members/InviteForm.tsx: an
// invitation code, shown once, to hand over; members/PendingInvitations.tsx lists and revokes the
// pending ones) and remove members (they keep their account but lose the organisation, and an
// administrator's role with it). Nobody removes themselves here: the API refuses it, so the button
// is not offered.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useState } from "react";
import { Trans, useTranslation } from "react-i18next";
import { Button } from "../components/Button";
import { DataTable, type Column } from "../components/DataTable";
import { ConfirmDialog } from "../components/Dialog";
import { Badge, EmptyState, ErrorNotice, Notice, Skeleton } from "../components/Feedback";
import { MutationError } from "../components/MutationError";
import { Card, PageHeader } from "../components/Page";
import { useToast } from "../components/Toast";
import { count, dateTime } from "../lib/format";
import { RoleLabel } from "../components/RoleLabel";
import { useMe, useOrgScope, type RouterOutputs } from "../session";
import { trpc } from "../trpc";
import { InviteForm } from "./members/InviteForm";
import { PendingInvitations } from "./members/PendingInvitations";
import { ResetPasswordDialog } from "./members/ResetPasswordDialog";

type Member = RouterOutputs["members"]["list"][number];

const ROLE_TONE = { provider_admin: "warning", org_admin: "info", member: "neutral" } as const;
const ROLE_ORDER = { provider_admin: 0, org_admin: 1, member: 2 } as const;

function MembersOf({ organizationId, organizationName }: { organizationId: string; organizationName: string }) {
  const { t } = useTranslation("members");
  const me = useMe();
  const queryClient = useQueryClient();
  const toast = useToast();
  const members = useQuery(trpc.members.list.queryOptions({ organizationId }));
  const [removing, setRemoving] = useState<Member | null>(null);
  const [resetting, setResetting] = useState<Member | null>(null);
  const remove = useMutation(
    trpc.members.remove.mutationOptions({
      onSuccess: async () => {
        toast.show(
          removing
            ? t("remove.done", { email: removing.email, organization: organizationName })
            : t("remove.doneUnknown", { organization: organizationName }),
        );
        setRemoving(null);
        await Promise.all([queryClient.invalidateQueries(trpc.members.pathFilter()), queryClient.invalidateQueries(trpc.organizations.pathFilter())]);
      },
    }),
  );

  const columns: Column<Member>[] = [
    {
      key: "name",
      header: t("list.name"),
      sortValue: (m) => (m.name || m.email).toLowerCase(),
      cell: (m) => (
        <span>
          {m.name || <span className="muted">—</span>}
          {m.id === me.id ? (
            <>
              {" "}
              <Badge>{t("list.you")}</Badge>
            </>
          ) : null}
        </span>
      ),
    },
    { key: "email", header: t("list.email"), sortValue: (m) => m.email.toLowerCase(), cell: (m) => <span className="members-email">{m.email}</span> },
    { key: "role", header: t("list.role"), sortValue: (m) => ROLE_ORDER[m.role], cell: (m) => <Badge tone={ROLE_TONE[m.role]}><RoleLabel role={m.role} /></Badge> },
    { key: "external", header: t("list.external"), sortValue: (m) => m.externalUserId, cell: (m) => <code className="break-all">{m.externalUserId}</code> },
    { key: "joined", header: t("list.joined"), sortValue: (m) => m.joinedAt.getTime(), cell: (m) => <span className="members-joined">{dateTime(m.joinedAt)}</span> },
    {
      key: "actions",
      header: t("list.actions"),
      align: "right",
      cell: (m) =>
        m.id === me.id ? null : (
          <span className="row" style={{ justifyContent: "flex-end" }}>
            <Button size="sm" variant="ghost" aria-label={t("list.resetLabel", { who: m.name || m.email })} onClick={() => setResetting(m)}>
              {t("list.reset")}
            </Button>
            <Button
              size="sm"
              variant="ghost"
              aria-label={t("list.removeLabel", { who: m.name || m.email })}
              onClick={() => {
                remove.reset();
                setRemoving(m);
              }}
            >
              {t("list.remove")}
            </Button>
          </span>
        ),
    },
  ];

  const rows = members.data ?? [];
  return (
    <div className="stack">
      <Card title={t("invite.title")}>
        <InviteForm organizationId={organizationId} organizationName={organizationName} />
      </Card>
      <PendingInvitations organizationId={organizationId} organizationName={organizationName} />

      <Card title={members.data ? t("list.titleCount", { n: count(rows.length) }) : t("list.title")}>
        {members.error ? <ErrorNotice error={members.error} onRetry={() => void members.refetch()} /> : null}
        {members.data ? (
          rows.length ? (
            <DataTable rows={rows} columns={columns} rowKey={(m) => m.id} caption={t("list.caption", { organization: organizationName })} initialSort={{ key: "joined", direction: "asc" }} />
          ) : (
            <EmptyState title={t("list.empty")}>{t("list.emptyBody")}</EmptyState>
          )
        ) : members.isPending ? (
          <Skeleton lines={4} height="1.4rem" />
        ) : null}
      </Card>
      <ResetPasswordDialog organizationId={organizationId} member={resetting} onClose={() => setResetting(null)} />
      <ConfirmDialog
        open={removing !== null}
        title={t("remove.title", { who: removing?.name || removing?.email || "" })}
        confirmLabel={t("remove.confirm")}
        busy={remove.isPending}
        onConfirm={() => removing && remove.mutate({ organizationId, userId: removing.id })}
        onClose={() => !remove.isPending && setRemoving(null)}
      >
        <MutationError error={remove.error} />
        <p>
          <Trans
            t={t}
            i18nKey={removing?.role === "org_admin" ? "remove.bodyAdmin" : "remove.body"}
            values={{ email: removing?.email ?? "", organization: organizationName }}
            components={{ b: <strong /> }}
          />
        </p>
      </ConfirmDialog>
    </div>
  );
}

export default function Members() {
  const { t } = useTranslation("members");
  const me = useMe();
  const scope = useOrgScope();
  const provider = me.role === "provider_admin";
  const organizationId = scope.organizationId;
  const organizationName = scope.organization?.name ?? t("yourOrganization");

  let body;
  if (scope.isLoading) {
    body = (
      <Card>
        <Skeleton lines={4} />
      </Card>
    );
  } else if (!organizationId) {
    body = (
      <Card>
        {provider ? (
          <EmptyState title={t("noOrganizations")} action={<Link to="/organizations">{t("createFirst")}</Link>}>
            {t("noOrganizationsBody")}
          </EmptyState>
        ) : (
          <EmptyState title={t("notSetUp")} action={<Link to="/connections">{t("openConnections")}</Link>}>
            <Trans t={t} i18nKey="notSetUpBody" components={{ link: <Link to="/" /> }} />
          </EmptyState>
        )}
      </Card>
    );
  } else {
    // Keyed by organisation: switching it in the switcher starts the form and any shown password afresh.
    body = <MembersOf key={organizationId} organizationId={organizationId} organizationName={organizationName} />;
  }

  return (
    <>
      <PageHeader
        title={t("title")}
        description={
          organizationId ? (
            <>
              <Trans
                t={t}
                i18nKey={scope.organization && !scope.organization.active ? "descriptionDeactivated" : "description"}
                values={{ name: organizationName }}
                components={{ b: <strong /> }}
              />
              {provider ? ` ${t("switchHint")}` : ""}
            </>
          ) : undefined
        }
      />
      {scope.organization && !scope.organization.active ? (
        <Notice tone="warning">{t("deactivatedNotice", { name: organizationName })}</Notice>
      ) : null}
      {body}
    </>
  );
}
