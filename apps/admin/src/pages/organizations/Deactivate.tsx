// Provider: deactivate an organisation after confirmation. Its members' chat requests are refused
// from then on and its upstream key is disabled where the gateway manages it; data is kept.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { ConfirmDialog } from "../../components/Dialog";
import { MutationError } from "../../components/MutationError";
import { useToast } from "../../components/Toast";
import type { Organization } from "../../session";
import { trpc } from "../../trpc";

export function useDeactivate(onDeactivated: () => void) {
  const queryClient = useQueryClient();
  const toast = useToast();
  return useMutation(
    trpc.organizations.deactivate.mutationOptions({
      onSuccess: async (result) => {
        const name = result.organization.name;
        const upstream =
          result.upstreamKey === "disabled"
            ? "; its OpenRouter key is disabled"
            : result.upstreamKey === "missing"
              ? "; its key no longer existed on OpenRouter"
              : "";
        toast.show(`“${name}” deactivated${upstream}`);
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
  return (
    <ConfirmDialog
      open={deactivating !== null}
      title={`Deactivate “${deactivating?.name ?? ""}”?`}
      confirmLabel="Deactivate"
      busy={deactivate.isPending}
      onConfirm={() => deactivating && deactivate.mutate({ organizationId: deactivating.id })}
      onClose={() => !deactivate.isPending && onClose()}
    >
      <MutationError error={deactivate.error}>{deactivating?.name} was not deactivated.</MutationError>
      <p>
        <strong>{deactivating?.name}</strong> is deactivated: chat requests of its members are refused from
        now on.{" "}
        {deactivating?.provisioned
          ? "Its upstream OpenRouter key is disabled too, so it cannot be used directly either."
          : "Its upstream OpenRouter key is disabled too where the gateway manages it; a client's own key stays valid on OpenRouter."}
      </p>
      <p className="muted">Members, usage and statements are kept. It can be reactivated under Edit.</p>
    </ConfirmDialog>
  );
}
