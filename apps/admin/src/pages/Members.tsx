// The members of the organisation in scope: who they are, their role and the external user id the
// gateway sends to OpenRouter for them. Administrators invite people (members/InviteForm.tsx: an
// invitation code, shown once, to hand over; members/PendingInvitations.tsx lists and revokes the
// pending ones) and remove members (they keep their account but lose the organisation, and an
// administrator's role with it). Nobody removes themselves here: the API refuses it, so the button
// is not offered.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useState } from "react";
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
  const me = useMe();
  const queryClient = useQueryClient();
  const toast = useToast();
  const members = useQuery(trpc.members.list.queryOptions({ organizationId }));
  const [removing, setRemoving] = useState<Member | null>(null);
  const [resetting, setResetting] = useState<Member | null>(null);
  const remove = useMutation(
    trpc.members.remove.mutationOptions({
      onSuccess: async () => {
        toast.show(`${removing?.email ?? "The member"} removed from ${organizationName}`);
        setRemoving(null);
        await Promise.all([queryClient.invalidateQueries(trpc.members.pathFilter()), queryClient.invalidateQueries(trpc.organizations.pathFilter())]);
      },
    }),
  );

  const columns: Column<Member>[] = [
    {
      key: "name",
      header: "Name",
      sortValue: (m) => (m.name || m.email).toLowerCase(),
      cell: (m) => (
        <span>
          {m.name || <span className="muted">—</span>}
          {m.id === me.id ? (
            <>
              {" "}
              <Badge>you</Badge>
            </>
          ) : null}
        </span>
      ),
    },
    { key: "email", header: "E-mail", sortValue: (m) => m.email.toLowerCase(), cell: (m) => <span className="members-email">{m.email}</span> },
    { key: "role", header: "Role", sortValue: (m) => ROLE_ORDER[m.role], cell: (m) => <Badge tone={ROLE_TONE[m.role]}><RoleLabel role={m.role} /></Badge> },
    { key: "external", header: "External user id", sortValue: (m) => m.externalUserId, cell: (m) => <code className="break-all">{m.externalUserId}</code> },
    { key: "joined", header: "Joined", sortValue: (m) => m.joinedAt.getTime(), cell: (m) => <span className="members-joined">{dateTime(m.joinedAt)}</span> },
    {
      key: "actions",
      header: "Actions",
      align: "right",
      cell: (m) =>
        m.id === me.id ? null : (
          <span className="row" style={{ justifyContent: "flex-end" }}>
            <Button size="sm" variant="ghost" aria-label={`Reset password of ${m.name || m.email}`} onClick={() => setResetting(m)}>
              Reset password
            </Button>
            <Button
              size="sm"
              variant="ghost"
              aria-label={`Remove ${m.name || m.email}`}
              onClick={() => {
                remove.reset();
                setRemoving(m);
              }}
            >
              Remove
            </Button>
          </span>
        ),
    },
  ];

  const rows = members.data ?? [];
  return (
    <div className="stack">
      <Card title="Invite someone">
        <InviteForm organizationId={organizationId} organizationName={organizationName} />
      </Card>
      <PendingInvitations organizationId={organizationId} organizationName={organizationName} />

      <Card title={members.data ? `Members (${count(rows.length)})` : "Members"}>
        {members.error ? <ErrorNotice error={members.error} onRetry={() => void members.refetch()} /> : null}
        {members.data ? (
          rows.length ? (
            <DataTable rows={rows} columns={columns} rowKey={(m) => m.id} caption={`Members of ${organizationName}`} initialSort={{ key: "joined", direction: "asc" }} />
          ) : (
            <EmptyState title="No members yet">
              Invite the client's administrator first, with the role “Client administrator”: they can then invite their colleagues themselves.
            </EmptyState>
          )
        ) : members.isPending ? (
          <Skeleton lines={4} height="1.4rem" />
        ) : null}
      </Card>
      <ResetPasswordDialog organizationId={organizationId} member={resetting} onClose={() => setResetting(null)} />
      <ConfirmDialog
        open={removing !== null}
        title={`Remove ${removing?.name || removing?.email || ""}?`}
        confirmLabel="Remove member"
        busy={remove.isPending}
        onConfirm={() => removing && remove.mutate({ organizationId, userId: removing.id })}
        onClose={() => !remove.isPending && setRemoving(null)}
      >
        <MutationError error={remove.error} />
        <p>
          <strong>{removing?.email}</strong> leaves {organizationName}: the gateway refuses their chat requests from now on, the dashboard no longer shows
          them the organisation, and they are signed out everywhere{removing?.role === "org_admin" ? "; they are no longer an administrator" : ""}. They keep
          their account, and the usage they incurred stays in the statements.
        </p>
      </ConfirmDialog>
    </div>
  );
}

export default function Members() {
  const me = useMe();
  const scope = useOrgScope();
  const provider = me.role === "provider_admin";
  const organizationId = scope.organizationId;
  const organizationName = scope.organization?.name ?? "your organisation";

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
          <EmptyState title="No organisations yet" action={<Link to="/organizations">Create the first organisation</Link>}>
            Members belong to a client organisation. Create one, then invite its administrator here.
          </EmptyState>
        ) : (
          <EmptyState title="Your organisation is not set up yet" action={<Link to="/connections">Open Connections</Link>}>
            Save the OpenRouter key your provider gave you under Connections: that links your account to your organisation. An invitation from
            your organisation's administrator shows on your <Link to="/">overview</Link>.
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
        title="Members"
        description={
          organizationId ? (
            <>
              The people of <strong>{organizationName}</strong>
              {scope.organization && !scope.organization.active ? " (deactivated)" : ""}: who may use the gateway, and the external user id OpenRouter sees
              for each.{provider ? " Switch the organisation at the top." : ""}
            </>
          ) : undefined
        }
      />
      {scope.organization && !scope.organization.active ? (
        <Notice tone="warning">{organizationName} is deactivated: its members' chat requests are refused.</Notice>
      ) : null}
      {body}
    </>
  );
}
