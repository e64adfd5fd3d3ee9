// Where a client administrator or member who belongs to no organisation yet lands (the Overview
// shows this instead of usage it could not load): what to do next, never an error. Pending
// invitations for their e-mail come first, each with a Join button — accepting is their consent,
// and their role becomes the invited one; an administrator can also save the OpenRouter key their
// provider gave them under Connections (the automatic org sync claims or creates the
// organisation); anyone can ask their provider or administrator.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useRouter } from "@tanstack/react-router";
import { useState } from "react";
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
        toast.show(name ? `You joined ${name}` : "You joined the organisation");
        // The signed-in layout reads who is signed in once per navigation: read it again.
        await router.invalidate();
      },
    }),
  );

  if (invitations.error) return <ErrorNotice title="Your invitations could not be loaded" error={invitations.error} onRetry={() => void invitations.refetch()} />;
  if (!invitations.data) return <Skeleton lines={2} />;
  if (invitations.data.length === 0) {
    return (
      <p className="muted" style={{ margin: 0 }}>
        No invitation for {me.email} yet. When an administrator invites this address, it shows here.
      </p>
    );
  }
  return (
    <div className="stack">
      <MutationError error={accept.error}>You did not join.</MutationError>
      <ul className="invitation-list">
        {invitations.data.map((i) => (
          <li key={i.id} className="invitation-item">
            <span>
              <strong>{i.organizationName}</strong> invites you as <RoleLabel role={i.role} />
              <span className="muted"> · until {dateTime(i.expiresAt)}</span>
            </span>
            <Button
              variant="primary"
              size="sm"
              busy={accept.isPending && joining === i.id}
              disabled={accept.isPending}
              aria-label={`Join ${i.organizationName}`}
              onClick={() => {
                setJoining(i.id);
                accept.mutate({ invitationId: i.id });
              }}
            >
              Join
            </Button>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function NoOrganization({ me }: { me: Me }) {
  const admin = me.role === "org_admin";
  return (
    <>
      <PageHeader title="Overview" description="Your account does not belong to an organisation yet. Here is how it gets one." />
      <div className="stack">
        <Card title="Invitations">
          <Invitations me={me} />
        </Card>
        {admin ? (
          <Card title="Set up your organisation with its OpenRouter key">
            <ol className="landing-steps">
              <li>
                Open <Link to="/connections">Connections</Link> and add an OpenRouter connection with the key your provider gave you.
              </li>
              <li>Save. A key your provider issued for your organisation makes you its administrator; a key of your own creates a new organisation.</li>
              <li>Come back here: your organisation's usage, limit and members show on this page.</li>
            </ol>
          </Card>
        ) : null}
        <Card title="Nothing here?">
          <p style={{ margin: 0 }}>
            {admin
              ? "Ask your provider for your organisation's OpenRouter key, or ask an administrator of your organisation to invite you."
              : "Ask your organisation's administrator to invite this e-mail address, or ask your provider."}{" "}
            You are signed in as <strong>{me.email}</strong>.
          </p>
        </Card>
      </div>
    </>
  );
}
