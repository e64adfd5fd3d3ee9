// Provider: a new client organisation. With "provision" a dedicated OpenRouter key is minted
// (limited upstream to the monthly limit) and shown here once; otherwise the client's own key may be
// attached. Empty limit and markup take the provider's defaults.
import { nanoToUsdString } from "@mai/domain/money";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useState, type FormEvent } from "react";
import { Trans, useTranslation } from "react-i18next";
import { SecretOnce } from "../../components/CopyButton";
import { Notice } from "../../components/Feedback";
import { CheckboxField, TextField } from "../../components/Field";
import { FormActions } from "../../components/FormActions";
import { MutationError } from "../../components/MutationError";
import { useToast } from "../../components/Toast";
import { markupText, money } from "../../lib/format";
import { trpc } from "../../trpc";
import { checkEmail, checkMarkup, checkUsd, keyProblem, MAX_LENGTH, organizationNameProblem } from "../../lib/checks";
import { carries } from "../../lib/provider-cost";

interface CreateForm {
  name: string;
  billingEmail: string;
  monthlyLimitUsd: string;
  markup: string;
  provisionKey: boolean;
  key: string;
}
const EMPTY_CREATE: CreateForm = {
  name: "",
  billingEmail: "",
  monthlyLimitUsd: "",
  markup: "",
  provisionKey: true,
  key: "",
};

export function CreateOrganizationForm({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation("organizations");
  const queryClient = useQueryClient();
  const toast = useToast();
  const [form, setForm] = useState<CreateForm>(EMPTY_CREATE);
  const [errors, setErrors] = useState<Partial<Record<keyof CreateForm, string | null>>>({});
  const defaults = useQuery(trpc.userMapping.configuration.queryOptions());
  const create = useMutation(
    trpc.organizations.create.mutationOptions({
      onSuccess: async (result) => {
        toast.show(t("create.created", { name: result.organization.name }));
        if (!result.provisionedKey) onDone();
        await queryClient.invalidateQueries(trpc.organizations.pathFilter());
      },
    }),
  );
  const set = <K extends keyof CreateForm>(field: K, value: CreateForm[K]) =>
    setForm((f) => ({ ...f, [field]: value }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const name = form.name.trim();
    const limit = form.monthlyLimitUsd.trim() ? checkUsd(form.monthlyLimitUsd) : null;
    const markup = form.markup.trim() ? checkMarkup(form.markup) : null;
    const key = form.key.trim();
    const next = {
      name: organizationNameProblem(name, t("create.nameMissing")),
      billingEmail: checkEmail(form.billingEmail),
      monthlyLimitUsd: limit && "error" in limit ? limit.error : null,
      markup: markup && "error" in markup ? markup.error : null,
      key: !form.provisionKey && key ? keyProblem(key) : null,
    };
    setErrors(next);
    if (Object.values(next).some(Boolean)) return;
    create.mutate({
      name,
      billingEmail: form.billingEmail.trim() || null,
      ...(limit && "value" in limit ? { monthlyLimitUsd: limit.value } : {}),
      ...(markup && "value" in markup ? { markup: markup.value } : {}),
      provisionKey: form.provisionKey,
      ...(!form.provisionKey && key ? { key } : {}),
    });
  };

  if (create.data?.provisionedKey) {
    const { organization, provisionedKey } = create.data;
    return (
      <div className="stack">
        <Notice tone="success">
          <Trans
            t={t}
            i18nKey="create.provisioned"
            values={{ name: organization.name, limit: money(organization.monthlyLimitNano) }}
            components={{ b: <strong /> }}
          />
        </Notice>
        <SecretOnce label={t("create.secretLabel")} value={provisionedKey} />
        <p className="field-hint">{t("create.handOver")}</p>
        <FormActions align="end" label={t("create.done")} onClick={onDone} />
      </div>
    );
  }

  const d = defaults.data;
  return (
    <form className="form" onSubmit={submit} noValidate>
      <MutationError error={create.error}>{t("create.notCreated")}</MutationError>
      <TextField
        label={t("form.name")}
        required
        maxLength={MAX_LENGTH.organizationName}
        autoComplete="off"
        value={form.name}
        error={errors.name}
        onChange={(e) => set("name", e.target.value)}
        autoFocus
      />
      <TextField
        label={t("form.billingEmail")}
        type="email"
        autoComplete="off"
        value={form.billingEmail}
        error={errors.billingEmail}
        hint={t("create.billingEmailHint")}
        onChange={(e) => set("billingEmail", e.target.value)}
      />
      <div className="form-row org-form-row">
        <TextField
          label={t("form.monthlyLimit")}
          inputMode="decimal"
          autoComplete="off"
          placeholder={d ? nanoToUsdString(d.defaultMonthlyLimitNano) : "1000"}
          value={form.monthlyLimitUsd}
          error={errors.monthlyLimitUsd}
          hint={d ? t("create.limitHintDefault", { limit: money(d.defaultMonthlyLimitNano) }) : t("create.limitHint")}
          onChange={(e) => set("monthlyLimitUsd", e.target.value)}
        />
        <TextField
          label={t("form.markup")}
          inputMode="decimal"
          autoComplete="off"
          placeholder={d && carries(d, "defaultMarkup") ? d.defaultMarkup : "1.3"}
          value={form.markup}
          error={errors.markup}
          hint={
            d && carries(d, "defaultMarkup")
              ? t("create.markupHintDefault", { markup: markupText(d.defaultMarkup) })
              : t("create.markupHint")
          }
          onChange={(e) => set("markup", e.target.value)}
        />
      </div>
      <CheckboxField
        label={t("create.provision")}
        checked={form.provisionKey}
        onChange={(e) => set("provisionKey", e.target.checked)}
        hint={<Trans t={t} i18nKey="create.provisionHint" components={{ link: <Link to="/settings" /> }} />}
      />
      {form.provisionKey ? null : (
        <TextField
          label={t("form.openRouterKey")}
          type="password"
          autoComplete="off"
          spellCheck={false}
          placeholder="sk-or-v1-…"
          value={form.key}
          error={errors.key}
          hint={t("create.keyHint")}
          onChange={(e) => set("key", e.target.value)}
        />
      )}
      <FormActions align="end" label={t("create.submit")} busy={create.isPending} onCancel={onDone} />
    </form>
  );
}
