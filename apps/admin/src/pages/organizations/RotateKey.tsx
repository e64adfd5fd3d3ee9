// Provider: rotate a provisioned key — confirm, then the new key shown once. The mutation lives in
// the page (useRotateKey) so that its result outlives the confirmation, which closes on success.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Trans, useTranslation } from "react-i18next";
import { SecretOnce } from "../../components/CopyButton";
import { ConfirmDialog, Dialog } from "../../components/Dialog";
import { FormActions } from "../../components/FormActions";
import { dateTime } from "../../lib/format";
import { MutationError } from "../../components/MutationError";
import { useToast } from "../../components/Toast";
import type { Organization } from "../../session";
import { trpc } from "../../trpc";

export function useRotateKey(onRotated: () => void) {
  const { t } = useTranslation("organizations");
  const queryClient = useQueryClient();
  const toast = useToast();
  return useMutation(
    trpc.organizations.rotateKey.mutationOptions({
      onSuccess: async (result) => {
        toast.show(t("rotate.done", { name: result.organization.name }));
        onRotated();
        await queryClient.invalidateQueries(trpc.organizations.pathFilter());
      },
    }),
  );
}

export function RotateKeyDialogs({
  rotating,
  rotate,
  onClose,
}: {
  /** The organisation whose key is about to be rotated (the confirmation is open), or null. */
  rotating: Organization | null;
  rotate: ReturnType<typeof useRotateKey>;
  onClose: () => void;
}) {
  const { t } = useTranslation("organizations");
  return (
    <>
      <ConfirmDialog
        open={rotating !== null}
        title={t("rotate.title", { name: rotating?.name ?? "" })}
        confirmLabel={t("rotate.confirm")}
        busy={rotate.isPending}
        onConfirm={() => rotating && rotate.mutate({ organizationId: rotating.id })}
        onClose={() => !rotate.isPending && onClose()}
      >
        <MutationError error={rotate.error}>{t("rotate.failed")}</MutationError>
        <p>
          <Trans t={t} i18nKey="rotate.body" values={{ hint: rotating?.keyHint ?? "" }} components={{ code: <code /> }} />
        </p>
      </ConfirmDialog>

      <Dialog
        open={rotate.data !== undefined}
        title={t("rotate.newKeyTitle", { name: rotate.data?.organization.name ?? "" })}
        onClose={() => rotate.reset()}
      >
        {rotate.data ? (
          <div className="stack">
            <SecretOnce label={t("rotate.secretLabel")} value={rotate.data.provisionedKey} />
            {rotate.data.previousKeyDeleteAfter ? (
              <p className="field-hint">{t("rotate.previousValid", { date: dateTime(rotate.data.previousKeyDeleteAfter) })}</p>
            ) : null}
            <p className="field-hint">{t("rotate.handOver")}</p>
            <FormActions align="end" label={t("rotate.doneButton")} onClick={() => rotate.reset()} />
          </div>
        ) : null}
      </Dialog>
    </>
  );
}
