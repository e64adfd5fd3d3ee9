// Provider: deactivate an organisation after confirmation. Its members' chat requests are refused
// from then on and its upstream key is disabled where the gateway manages it; data is kept.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Trans, useTranslation } from "react-i18next";
import { ConfirmDialog } from "../../components/Dialog";
import { MutationError } from "../../components/MutationError";
import { useToast } from "../../components/Toast";
import type { Organization } from "../../session";
import { trpc } from "../../trpc";

export function useDeactivate(onDeactivated: () => void) {
  const { t } = useTranslation("organizations");
  const queryClient = useQueryClient();
  const toast = useToast();
  return useMutation(
    trpc.organizations.deactivate.mutationOptions({
      onSuccess: async (result) => {
        const name = result.organization.name;
        toast.show(
          result.upstreamKey === "disabled"
            ? t("deactivate.doneDisabled", { name })
            : result.upstreamKey === "missing"
              ? t("deactivate.doneMissing", { name })
              : t("deactivate.done", { name }),
        );
        onDeactivated();
        await queryClient.invalidateQueries(trpc.organizations.pathFilter());
      },
    }),
  );
}

export function DeactivateDialog({
  deactivating,
  deactivate,
  onClose,
}: {
  /** The organisation about to be deactivated (the confirmation is open), or null. */
  deactivating: Organization | null;
  deactivate: ReturnType<typeof useDeactivate>;
  onClose: () => void;
}) {
  const { t } = useTranslation("organizations");
  return (
    <ConfirmDialog
      open={deactivating !== null}
      title={t("deactivate.title", { name: deactivating?.name ?? "" })}
      confirmLabel={t("deactivate.confirm")}
      busy={deactivate.isPending}
      onConfirm={() => deactivating && deactivate.mutate({ organizationId: deactivating.id })}
      onClose={() => !deactivate.isPending && onClose()}
    >
      <MutationError error={deactivate.error}>{t("deactivate.failed", { name: deactivating?.name ?? "" })}</MutationError>
      <p>
        <Trans t={t} i18nKey="deactivate.body" values={{ name: deactivating?.name ?? "" }} components={{ b: <strong /> }} />{" "}
        {deactivating?.provisioned ? t("deactivate.provisioned") : t("deactivate.clientKey")}
      </p>
      <p className="muted">{t("deactivate.kept")}</p>
    </ConfirmDialog>
  );
}
