// Provider: edit an organisation. Only what changed is sent: a limit or name change also updates a
// provisioned key upstream; unticking "Active" deactivates it (the upstream key too).
import { markupFromMultiplier, nanoToUsdString } from "@mai/domain/money";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Notice } from "../../components/Feedback";
import { CheckboxField, TextField } from "../../components/Field";
import { FormActions } from "../../components/FormActions";
import { MutationError } from "../../components/MutationError";
import { useToast } from "../../components/Toast";
import { money } from "../../lib/format";
import { carries } from "../../lib/provider-cost";
import type { Organization } from "../../session";
import { trpc } from "../../trpc";
import { checkEmail, checkMarkup, checkUsd, MAX_LENGTH, organizationNameProblem } from "../../lib/checks";

export function EditOrganizationForm({
  organization: o,
  onDone,
}: {
  organization: Organization;
  onDone: () => void;
}) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const [name, setName] = useState(o.name);
  const [billingEmail, setBillingEmail] = useState(o.billingEmail ?? "");
  // The provider's form: its answer always carries the markup (lib/provider-cost.ts).
  const markupBp = carries(o, "markupBp") ? o.markupBp : null;
  const [markup, setMarkup] = useState(carries(o, "markup") ? o.markup : "");
  const [limit, setLimit] = useState(nanoToUsdString(o.monthlyLimitNano));
  const [active, setActive] = useState(o.active);
  const [errors, setErrors] = useState<Record<string, string | null>>({});
  const update = useMutation(
    trpc.organizations.update.mutationOptions({
      onSuccess: async (saved) => {
        toast.show(`Organisation “${saved.name}” saved`);
        onDone();
        await queryClient.invalidateQueries(trpc.organizations.pathFilter());
      },
    }),
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmedName = name.trim();
    const markupCheck = markup.trim()
      ? checkMarkup(markup)
      : { error: "Enter a multiplier such as 1.3 (1 = no markup)." };
    const limitCheck = limit.trim()
      ? checkUsd(limit)
      : { error: "Enter the monthly limit in US dollars, e.g. 250." };
    const next = {
      name: organizationNameProblem(trimmedName, "The organisation needs a name."),
      billingEmail: checkEmail(billingEmail),
      markup: "error" in markupCheck ? markupCheck.error : null,
      limit: "error" in limitCheck ? limitCheck.error : null,
    };
    setErrors(next);
    if (Object.values(next).some(Boolean) || "error" in markupCheck || "error" in limitCheck) return;

    // Only what changed: a limit or name change also updates a provisioned key upstream.
    const email = billingEmail.trim() || null;
    const patch = {
      ...(trimmedName !== o.name ? { name: trimmedName } : {}),
      ...(email !== o.billingEmail ? { billingEmail: email } : {}),
      ...(markupFromMultiplier(markupCheck.value) !== markupBp ? { markup: markupCheck.value } : {}),
      ...(limitCheck.nano !== o.monthlyLimitNano ? { monthlyLimitUsd: limitCheck.value } : {}),
      ...(active !== o.active ? { active } : {}),
    };
    if (Object.keys(patch).length === 0) {
      toast.show("Nothing changed", "info");
      onDone();
      return;
    }
    update.mutate({ organizationId: o.id, ...patch });
  };

  return (
    <form className="form" onSubmit={submit} noValidate>
      <MutationError error={update.error}>Nothing was saved.</MutationError>
      <TextField
        label="Name"
        required
        maxLength={MAX_LENGTH.organizationName}
        autoComplete="off"
        value={name}
        error={errors.name}
        onChange={(e) => setName(e.target.value)}
      />
      <TextField
        label="Billing e-mail"
        type="email"
        autoComplete="off"
        value={billingEmail}
        error={errors.billingEmail}
        hint="Empty removes it."
        onChange={(e) => setBillingEmail(e.target.value)}
      />
      <div className="form-row org-form-row">
        <TextField
          label="Markup"
          inputMode="decimal"
          autoComplete="off"
          value={markup}
          error={errors.markup}
          hint="Multiplier of the OpenRouter cost; applies to requests from now on."
          onChange={(e) => setMarkup(e.target.value)}
        />
        <TextField
          label="Monthly limit (USD)"
          inputMode="decimal"
          autoComplete="off"
          value={limit}
          error={errors.limit}
          hint={
            o.provisioned
              ? "The dedicated key's OpenRouter limit follows."
              : `Spent this month: ${money(o.monthToDateNano)}.`
          }
          onChange={(e) => setLimit(e.target.value)}
        />
      </div>
      <CheckboxField
        label="Active"
        checked={active}
        onChange={(e) => setActive(e.target.checked)}
        hint="An inactive organisation's chat requests are refused."
      />
      {o.active && !active ? (
        <Notice tone="warning">
          Saving deactivates {o.name}: its members' requests are refused
          {o.provisioned ? " and its dedicated key is disabled on OpenRouter" : ""}.
        </Notice>
      ) : null}
      <FormActions align="end" label="Save" busy={update.isPending} onCancel={onDone} />
    </form>
  );
}
