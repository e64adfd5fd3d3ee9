// The organisation's pending invitations (members.invitations): who, as what, until when; each can
// be revoked after confirmation (its code then stops working).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Button } from "../../components/Button";
import { DataTable, type Column } from "../../components/DataTable";
import { ConfirmDialog } from "../../components/Dialog";
import { Badge, ErrorNotice, Skeleton } from "../../components/Feedback";
import { MutationError } from "../../components/MutationError";
import { Card } from "../../components/Page";
import { useToast } from "../../components/Toast";
import { count, dateTime } from "../../lib/format";
import { RoleLabel } from "../../components/RoleLabel";
import type { RouterOutputs } from "../../session";
import { trpc } from "../../trpc";

type Invitation = RouterOutputs["members"]["invitations"][number];

export function PendingInvitations({ organizationId, organizationName }: { organizationId: string; organizationName: string }) {
  const { t } = useTranslation("members");
  const queryClient = useQueryClient();
  const toast = useToast();
  const invitations = useQuery(trpc.members.invitations.queryOptions({ organizationId }));
  const [revoking, setRevoking] = useState<Invitation | null>(null);
  const revoke = useMutation(
    trpc.members.revokeInvitation.mutationOptions({
      onSuccess: async () => {
        toast.show(revoking ? t("pending.revoked", { email: revoking.email }) : t("pending.revokedUnknown"));
        setRevoking(null);
        await queryClient.invalidateQueries(trpc.members.invitations.pathFilter());
      },
    }),
  );

  const rows = invitations.data ?? [];
  // Nothing pending: no card at all, so the page stays about its members.
  if (invitations.data && rows.length === 0) return null;

  const columns: Column<Invitation>[] = [
    { key: "email", header: t("pending.email"), sortValue: (i) => i.email, cell: (i) => <span className="members-email">{i.email}</span> },
    { key: "name", header: t("pending.name"), sortValue: (i) => i.name.toLowerCase(), cell: (i) => i.name || <span className="muted">—</span> },
    { key: "role", header: t("pending.role"), sortValue: (i) => i.role, cell: (i) => <Badge tone={i.role === "org_admin" ? "info" : "neutral"}><RoleLabel role={i.role} /></Badge> },
    { key: "expires", header: t("pending.validUntil"), sortValue: (i) => i.expiresAt.getTime(), cell: (i) => <span className="members-joined">{dateTime(i.expiresAt)}</span> },
    {
      key: "actions",
      header: t("pending.actions"),
      align: "right",
      cell: (i) => (
        <Button
          size="sm"
          variant="ghost"
          aria-label={t("pending.revokeLabel", { email: i.email })}
          onClick={() => {
            revoke.reset();
            setRevoking(i);
          }}
        >
          {t("pending.revoke")}
        </Button>
      ),
    },
  ];

  return (
    <Card title={invitations.data ? t("pending.titleCount", { n: count(rows.length) }) : t("pending.title")}>
      {invitations.error ? <ErrorNotice error={invitations.error} onRetry={() => void invitations.refetch()} /> : null}
      {invitations.data ? (
        <DataTable rows={rows} columns={columns} rowKey={(i) => i.id} caption={t("pending.caption", { organization: organizationName })} initialSort={{ key: "expires", direction: "asc" }} />
      ) : invitations.isPending ? (
        <Skeleton lines={2} height="1.4rem" />
      ) : null}
      <ConfirmDialog
        open={revoking !== null}
        title={t("pending.confirmTitle", { email: revoking?.email ?? "" })}
        confirmLabel={t("pending.confirm")}
        busy={revoke.isPending}
        onConfirm={() => revoking && revoke.mutate({ organizationId, invitationId: revoking.id })}
        onClose={() => !revoke.isPending && setRevoking(null)}
      >
        <MutationError error={revoke.error} />
        <p>{t("pending.body", { email: revoking?.email ?? "" })}</p>
      </ConfirmDialog>
    </Card>
  );
}
