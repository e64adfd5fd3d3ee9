// Provider: attach the client's own OpenRouter key to an organisation (a provisioned key it replaces
// is deleted on OpenRouter after a grace period). The outcome stays in the dialog until "Done".
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Notice } from "../../components/Feedback";
import { TextField } from "../../components/Field";
import { FormActions } from "../../components/FormActions";
import { MutationError } from "../../components/MutationError";
import { useToast } from "../../components/Toast";
import type { Organization } from "../../session";
import { trpc } from "../../trpc";
import { keyProblem } from "../../lib/checks";
import { dateTime } from "../../lib/format";

export function SetKeyForm({ organization: o, onDone }: { organization: Organization; onDone: () => void }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const [key, setKey] = useState("");
  const [error, setError] = useState<string | null>(null);
  const setClientKey = useMutation(
    trpc.organizations.setKey.mutationOptions({
      onSuccess: async (result) => {
        setKey("");
        toast.show(
          result.status === "updated"
            ? `Key saved for “${result.organization.name}”`
            : "No change: the key was already attached",
          "info",
        );
        await queryClient.invalidateQueries(trpc.organizations.pathFilter());
      },
    }),
  );

  if (setClientKey.data) {
    const { status, organization, previousKeyDeleteAfter } = setClientKey.data;
    return (
      <div className="stack">
        {status === "updated" ? (
          <Notice tone="success">
            Updated: {organization.name} now uses <code>{organization.keyHint}</code>.
          </Notice>
        ) : (
          <Notice tone="info">Unchanged: {organization.name} already uses this key.</Notice>
        )}
        {previousKeyDeleteAfter ? (
          <p className="field-hint">
            The previous dedicated key stays valid until {dateTime(previousKeyDeleteAfter)} and is then
            deleted on OpenRouter (the audit log records when it is gone, or that it could not be deleted).
          </p>
        ) : null}
        <FormActions align="end" label="Done" onClick={onDone} />
      </div>
    );
  }

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = key.trim();
    const problem = !trimmed ? "Paste the client's OpenRouter key." : keyProblem(trimmed);
    setError(problem);
    if (problem) return;
    setClientKey.mutate({ organizationId: o.id, key: trimmed });
  };

  return (
    <form className="form" onSubmit={submit} noValidate>
      <MutationError error={setClientKey.error}>The key was not saved.</MutationError>
      <p style={{ margin: 0 }}>
        {o.keyHint ? (
          <>
            {o.name} uses <code>{o.keyHint}</code> ({o.keySource ?? "unknown source"}) now.
          </>
        ) : (
          <>{o.name} has no key yet.</>
        )}{" "}
        {o.provisioned
          ? "Its dedicated key is deleted on OpenRouter shortly after the new one is saved (after a grace period, so no request in flight is refused)."
          : null}
      </p>
      <TextField
        label="OpenRouter key"
        type="password"
        autoComplete="off"
        spellCheck={false}
        placeholder="sk-or-v1-…"
        required
        value={key}
        error={error}
        hint="The client's own key. It is stored encrypted and shown only masked."
        onChange={(e) => setKey(e.target.value)}
        autoFocus
      />
      <FormActions align="end" label="Set key" busy={setClientKey.isPending} onCancel={onDone} />
    </form>
  );
}
