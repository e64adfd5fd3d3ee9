// Provider: edit an organisation. Only what changed is sent: a limit or name change also updates a
// provisioned key upstream; unticking "Active" deactivates it (the upstream key too).
import { markupFromMultiplier, nanoToUsdString } from "@mai/domain/money";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
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
  const { t } = useTranslation("organizations");
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
        toast.show(t("edit.saved", { name: saved.name }));
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
      : { error: t("edit.markupMissing") };
    const limitCheck = limit.trim()
      ? checkUsd(limit)
      : { error: t("edit.limitMissing") };
    const next = {
      name: organizationNameProblem(trimmedName, t("edit.nameMissing")),
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
      toast.show(t("edit.nothingChanged"), "info");
      onDone();
      return;
    }
    update.mutate({ organizationId: o.id, ...patch });
  };

  return (
    <form className="form" onSubmit={submit} noValidate>
      <MutationError error={update.error}>{t("edit.notSaved")}</MutationError>
      <TextField
        label={t("form.name")}
        required
        maxLength={MAX_LENGTH.organizationName}
        autoComplete="off"
        value={name}
        error={errors.name}
        onChange={(e) => setName(e.target.value)}
      />
      <TextField
        label={t("form.billingEmail")}
        type="email"
        autoComplete="off"
        value={billingEmail}
        error={errors.billingEmail}
        hint={t("edit.billingEmailHint")}
        onChange={(e) => setBillingEmail(e.target.value)}
      />
      <div className="form-row org-form-row">
        <TextField
          label={t("form.markup")}
          inputMode="decimal"
          autoComplete="off"
          value={markup}
          error={errors.markup}
          hint={t("edit.markupHint")}
          onChange={(e) => setMarkup(e.target.value)}
        />
        <TextField
          label={t("form.monthlyLimit")}
          inputMode="decimal"
          autoComplete="off"
          value={limit}
          error={errors.limit}
          hint={
            o.provisioned
              ? t("edit.limitHintProvisioned")
              : t("edit.limitHintSpent", { spent: money(o.monthToDateNano) })
          }
          onChange={(e) => setLimit(e.target.value)}
        />
      </div>
      <CheckboxField
        label={t("edit.active")}
        checked={active}
        onChange={(e) => setActive(e.target.checked)}
        hint={t("edit.activeHint")}
      />
      {o.active && !active ? (
        <Notice tone="warning">
          {o.provisioned ? t("edit.deactivatesProvisioned", { name: o.name }) : t("edit.deactivates", { name: o.name })}
        </Notice>
      ) : null}
      <FormActions align="end" label={t("edit.save")} busy={update.isPending} onCancel={onDone} />
    </form>
  );
}
