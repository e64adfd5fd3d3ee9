// Resetting a member's password (Members page): asked first, then the temporary password is shown
// once, with a copy button, to hand over in person or over a safe channel. It signs in only to
// choose a new password, for 72 hours; the member's sessions end at once.
import { useMutation } from "@tanstack/react-query";
import { Trans, useTranslation } from "react-i18next";
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
  const { t } = useTranslation("members");
  const toast = useToast();
  const reset = useMutation(
    trpc.members.resetPassword.mutationOptions({
      onSuccess: () => toast.show(member ? t("reset.done", { email: member.email }) : t("reset.doneUnknown")),
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
      title={result ? t("reset.titleResult", { who }) : t("reset.title", { who })}
      onClose={close}
      footer={
        result ? (
          <Button variant="primary" onClick={close}>
            {t("reset.copied")}
          </Button>
        ) : (
          <>
            <Button onClick={close} disabled={reset.isPending}>
              {t("reset.cancel")}
            </Button>
            <Button
              variant="danger"
              busy={reset.isPending}
              onClick={() => member && reset.mutate({ organizationId, userId: member.id })}
            >
              {t("reset.confirm")}
            </Button>
          </>
        )
      }
    >
      {result ? (
        <div className="stack">
          <SecretOnce label={t("reset.secretLabel")} value={result.temporaryPassword} />
          <p className="field-hint">
            <Trans
              t={t}
              i18nKey="reset.handOver"
              values={{ email: member?.email ?? "", date: dateTime(result.expiresAt) }}
              components={{ b: <strong /> }}
            />
          </p>
        </div>
      ) : (
        <>
          <MutationError error={reset.error}>{t("reset.failed")}</MutationError>
          <p>
            <Trans t={t} i18nKey="reset.body" values={{ email: member?.email ?? "" }} components={{ b: <strong /> }} />
          </p>
        </>
      )}
    </Dialog>
  );
}
