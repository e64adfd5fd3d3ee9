// Where a client administrator or member who belongs to no organisation yet lands (the Overview
// shows this instead of usage it could not load): what to do next, never an error. Pending
// invitations for their e-mail come first, each with a Join button — accepting is their consent,
// and their role becomes the invited one; an administrator can also save the OpenRouter key their
// provider gave them under Connections (the automatic org sync claims or creates the
// organisation); anyone can ask their provider or administrator.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useRouter } from "@tanstack/react-router";
import { useState } from "react";
import { Trans, useTranslation } from "react-i18next";
import { Button } from "../components/Button";
import { ErrorNotice, Skeleton } from "../components/Feedback";
import { MutationError } from "../components/MutationError";
import { Card, PageHeader } from "../components/Page";
import { useToast } from "../components/Toast";
import { dateTime } from "../lib/format";
import { RoleLabel } from "../components/RoleLabel";
import type { Me } from "../session";
import { trpc } from "../trpc";

function Invitations({ me }: { me: Me }) {
  const { t } = useTranslation("auth");
  const queryClient = useQueryClient();
  const router = useRouter();
  const toast = useToast();
  const invitations = useQuery(trpc.auth.invitations.queryOptions());
  const [joining, setJoining] = useState<string | null>(null);
  const accept = useMutation(
    trpc.auth.acceptInvitation.mutationOptions({
      onSuccess: async (joined) => {
        const name = invitations.data?.find((i) => i.id === joining)?.organizationName;
        queryClient.clear();
        queryClient.setQueryData(trpc.auth.me.queryKey(), joined);
        toast.show(name ? t("noOrganization.joined", { name }) : t("noOrganization.joinedUnnamed"));
        // The signed-in layout reads who is signed in once per navigation: read it again.
        await router.invalidate();
      },
    }),
  );

  if (invitations.error) return <ErrorNotice title={t("noOrganization.invitationsFailed")} error={invitations.error} onRetry={() => void invitations.refetch()} />;
  if (!invitations.data) return <Skeleton lines={2} />;
  if (invitations.data.length === 0) {
    return (
      <p className="muted" style={{ margin: 0 }}>
        {t("noOrganization.noInvitations", { email: me.email })}
      </p>
    );
  }
  return (
    <div className="stack">
      <MutationError error={accept.error}>{t("noOrganization.failed")}</MutationError>
      <ul className="invitation-list">
        {invitations.data.map((i) => (
          <li key={i.id} className="invitation-item">
            <span>
              <Trans
                t={t}
                i18nKey="noOrganization.invites"
                values={{ organization: i.organizationName }}
                components={{ b: <strong />, role: <RoleLabel role={i.role} /> }}
              />
              <span className="muted"> · {t("noOrganization.until", { when: dateTime(i.expiresAt) })}</span>
            </span>
            <Button
              variant="primary"
              size="sm"
              busy={accept.isPending && joining === i.id}
              disabled={accept.isPending}
              aria-label={t("noOrganization.joinLabel", { organization: i.organizationName })}
              onClick={() => {
                setJoining(i.id);
                accept.mutate({ invitationId: i.id });
              }}
            >
              {t("noOrganization.join")}
            </Button>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function NoOrganization({ me }: { me: Me }) {
  const { t } = useTranslation("auth");
  const admin = me.role === "org_admin";
  return (
    <>
      <PageHeader title={t("noOrganization.title")} description={t("noOrganization.description")} />
      <div className="stack">
        <Card title={t("noOrganization.invitationsTitle")}>
          <Invitations me={me} />
        </Card>
        {admin ? (
          <Card title={t("noOrganization.setupTitle")}>
            <ol className="landing-steps">
              <li>
                <Trans t={t} i18nKey="noOrganization.setupOpen" components={{ a: <Link to="/connections" /> }} />
              </li>
              <li>{t("noOrganization.setupSave")}</li>
              <li>{t("noOrganization.setupReturn")}</li>
            </ol>
          </Card>
        ) : null}
        <Card title={t("noOrganization.nothingTitle")}>
          <p style={{ margin: 0 }}>
            {admin ? t("noOrganization.askAdmin") : t("noOrganization.askMember")}{" "}
            <Trans t={t} i18nKey="noOrganization.signedInAs" values={{ email: me.email }} components={{ b: <strong /> }} />
          </p>
        </Card>
      </div>
    </>
  );
}
