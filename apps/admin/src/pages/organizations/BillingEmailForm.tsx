// Client administrator: where their provider sends statements — the one field of their organisation
// they may change.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { TextField } from "../../components/Field";
import { FormActions } from "../../components/FormActions";
import { MutationError } from "../../components/MutationError";
import { useToast } from "../../components/Toast";
import type { Organization } from "../../session";
import { trpc } from "../../trpc";
import { checkEmail } from "../../lib/checks";

export function BillingEmailForm({ organization: o }: { organization: Organization }) {
  const { t } = useTranslation("organizations");
  const queryClient = useQueryClient();
  const toast = useToast();
  const [email, setEmail] = useState(o.billingEmail ?? "");
  const [error, setError] = useState<string | null>(null);
  const update = useMutation(
    trpc.organizations.update.mutationOptions({
      onSuccess: async (saved) => {
        toast.show(
          saved.billingEmail ? t("billingEmail.saved", { email: saved.billingEmail }) : t("billingEmail.removed"),
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
      <MutationError error={update.error}>{t("billingEmail.notSaved")}</MutationError>
      <TextField
        label={t("billingEmail.label")}
        type="email"
        autoComplete="email"
        value={email}
        error={error}
        hint={t("billingEmail.hint")}
        onChange={(e) => setEmail(e.target.value)}
      />
      <FormActions
        label={t("billingEmail.save")}
        busy={update.isPending}
        disabled={(email.trim() || null) === o.billingEmail}
      />
    </form>
  );
}
