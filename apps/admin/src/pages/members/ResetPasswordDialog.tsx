// Resetting a member's password (Members page): asked first, then the temporary password is shown
// once, with a copy button, to hand over in person or over a safe channel. It signs in only to
// choose a new password, for 72 hours; the member's sessions end at once.
import { useMutation } from "@tanstack/react-query";
import { Button } from "../../components/Button";
import { SecretOnce } from "../../components/CopyButton";
import { Dialog } from "../../components/Dialog";
import { MutationError } from "../../components/MutationError";
import { useToast } from "../../components/Toast";
import { dateTime } from "../../lib/format";
import type { RouterOutputs } from "../../session";
import { trpc } from "../../trpc";

type Member = RouterOutputs["members"]["list"][number];

export function ResetPasswordDialog({
  organizationId,
  member,
  onClose,
}: {
  organizationId: string;
  member: Member | null;
  onClose: () => void;
}) {
  const toast = useToast();
  const reset = useMutation(
    trpc.members.resetPassword.mutationOptions({
      onSuccess: () => toast.show(`Password of ${member?.email ?? "the member"} reset`),
    }),
  );
  const who = member ? member.name || member.email : "";
  const close = () => {
    if (reset.isPending) return;
    reset.reset();
    onClose();
  };
  const result = reset.data;
  return (
    <Dialog
      open={member !== null}
      title={result ? `Temporary password for ${who}` : `Reset the password of ${who}?`}
      onClose={close}
      footer={
        result ? (
          <Button variant="primary" onClick={close}>
            Done, I have copied it
          </Button>
        ) : (
          <>
            <Button onClick={close} disabled={reset.isPending}>
              Cancel
            </Button>
            <Button
              variant="danger"
              busy={reset.isPending}
              onClick={() => member && reset.mutate({ organizationId, userId: member.id })}
            >
              Reset password
            </Button>
          </>
        )
      }
    >
      {result ? (
        <div className="stack">
          <SecretOnce label="temporary password" value={result.temporaryPassword} />
          <p className="field-hint">
            Hand it to <strong>{member?.email}</strong> in person or over a safe channel. It signs them in
            only to choose a new password, until {dateTime(result.expiresAt)}; after that it no longer works.
          </p>
        </div>
      ) : (
        <>
          <MutationError error={reset.error}>The password was not reset.</MutationError>
          <p>
            <strong>{member?.email}</strong> is signed out everywhere and their current password stops
            working. You get a temporary password to hand over, valid for 72 hours, with which they choose a
            new one.
          </p>
        </>
      )}
    </Dialog>
  );
}
