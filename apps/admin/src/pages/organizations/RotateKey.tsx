// Provider: rotate a provisioned key — confirm, then the new key shown once. The mutation lives in
// the page (useRotateKey) so that its result outlives the confirmation, which closes on success.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { SecretOnce } from "../../components/CopyButton";
import { ConfirmDialog, Dialog } from "../../components/Dialog";
import { FormActions } from "../../components/FormActions";
import { dateTime } from "../../lib/format";
import { MutationError } from "../../components/MutationError";
import { useToast } from "../../components/Toast";
import type { Organization } from "../../session";
import { trpc } from "../../trpc";

export function useRotateKey(onRotated: () => void) {
  const queryClient = useQueryClient();
  const toast = useToast();
  return useMutation(
    trpc.organizations.rotateKey.mutationOptions({
      onSuccess: async (result) => {
        toast.show(`New key for “${result.organization.name}”`);
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
  return (
    <>
      <ConfirmDialog
        open={rotating !== null}
        title={`Rotate the key of “${rotating?.name ?? ""}”?`}
        confirmLabel="Rotate key"
        busy={rotate.isPending}
        onConfirm={() => rotating && rotate.mutate({ organizationId: rotating.id })}
        onClose={() => !rotate.isPending && onClose()}
      >
        <MutationError error={rotate.error}>The key was not rotated.</MutationError>
        <p>
          A new dedicated OpenRouter key is minted and used at once; the current key{" "}
          <code>{rotating?.keyHint}</code> keeps working for a short grace period, so that no request the
          proxies still send with it is refused, and is then deleted on OpenRouter. Anyone using it
          directly, such as the client's Open WebUI connection, needs the new key, which is shown only once.
        </p>
      </ConfirmDialog>

      <Dialog
        open={rotate.data !== undefined}
        title={`New key for “${rotate.data?.organization.name ?? ""}”`}
        onClose={() => rotate.reset()}
      >
        {rotate.data ? (
          <div className="stack">
            <SecretOnce label="OpenRouter key" value={rotate.data.provisionedKey} />
            {rotate.data.previousKeyDeleteAfter ? (
              <p className="field-hint">
                The previous key stays valid until {dateTime(rotate.data.previousKeyDeleteAfter)} and is then
                deleted on OpenRouter (the audit log records when it is gone, or that it could not be deleted).
              </p>
            ) : null}
            <p className="field-hint">
              Hand it to the client's administrator over a safe channel; they replace the old key under
              Connections.
            </p>
            <FormActions align="end" label="Done" onClick={() => rotate.reset()} />
          </div>
        ) : null}
      </Dialog>
    </>
  );
}
