// Client administrator: where their provider sends statements — the one field of their organisation
// they may change.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { TextField } from "../../components/Field";
import { FormActions } from "../../components/FormActions";
import { MutationError } from "../../components/MutationError";
import { useToast } from "../../components/Toast";
import type { Organization } from "../../session";
import { trpc } from "../../trpc";
import { checkEmail } from "../../lib/checks";

export function BillingEmailForm({ organization: o }: { organization: Organization }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const [email, setEmail] = useState(o.billingEmail ?? "");
  const [error, setError] = useState<string | null>(null);
  const update = useMutation(
    trpc.organizations.update.mutationOptions({
      onSuccess: async (saved) => {
        toast.show(
          saved.billingEmail ? `Billing e-mail saved: ${saved.billingEmail}` : "Billing e-mail removed",
        );
        await queryClient.invalidateQueries(trpc.organizations.pathFilter());
      },
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const problem = checkEmail(email);
    setError(problem);
    if (problem) return;
    update.mutate({ organizationId: o.id, billingEmail: email.trim() || null });
  };
  return (
    <form className="form" onSubmit={submit} noValidate>
      <MutationError error={update.error}>The billing e-mail was not saved.</MutationError>
      <TextField
        label="Billing e-mail"
        type="email"
        autoComplete="email"
        value={email}
        error={error}
        hint="Where your provider sends statements. Leave empty to remove it."
        onChange={(e) => setEmail(e.target.value)}
      />
      <FormActions
        label="Save"
        busy={update.isPending}
        disabled={(email.trim() || null) === o.billingEmail}
      />
    </form>
  );
}
