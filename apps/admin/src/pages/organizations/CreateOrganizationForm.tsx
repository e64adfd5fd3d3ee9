// Provider: a new client organisation. With "provision" a dedicated OpenRouter key is minted
// (limited upstream to the monthly limit) and shown here once; otherwise the client's own key may be
// attached. Empty limit and markup take the provider's defaults.
import { nanoToUsdString } from "@mai/domain/money";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useState, type FormEvent } from "react";
import { SecretOnce } from "../../components/CopyButton";
import { Notice } from "../../components/Feedback";
import { CheckboxField, TextField } from "../../components/Field";
import { FormActions } from "../../components/FormActions";
import { MutationError } from "../../components/MutationError";
import { useToast } from "../../components/Toast";
import { money } from "../../lib/format";
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
  const queryClient = useQueryClient();
  const toast = useToast();
  const [form, setForm] = useState<CreateForm>(EMPTY_CREATE);
  const [errors, setErrors] = useState<Partial<Record<keyof CreateForm, string | null>>>({});
  const defaults = useQuery(trpc.userMapping.configuration.queryOptions());
  const create = useMutation(
    trpc.organizations.create.mutationOptions({
      onSuccess: async (result) => {
        toast.show(`Organisation “${result.organization.name}” created`);
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
      name: organizationNameProblem(name, "Name the organisation, e.g. the client's company name."),
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
          <strong>{organization.name}</strong> was created with a dedicated OpenRouter key limited to{" "}
          {money(organization.monthlyLimitNano)} a month.
        </Notice>
        <SecretOnce label="OpenRouter key" value={provisionedKey} />
        <p className="field-hint">
          Hand it to the client's administrator over a safe channel: they save it under Connections, which
          links their account to this organisation. If it is lost, rotate the key.
        </p>
        <FormActions align="end" label="Done" onClick={onDone} />
      </div>
    );
  }

  const d = defaults.data;
  return (
    <form className="form" onSubmit={submit} noValidate>
      <MutationError error={create.error}>The organisation was not created.</MutationError>
      <TextField
        label="Name"
        required
        maxLength={MAX_LENGTH.organizationName}
        autoComplete="off"
        value={form.name}
        error={errors.name}
        onChange={(e) => set("name", e.target.value)}
        autoFocus
      />
      <TextField
        label="Billing e-mail"
        type="email"
        autoComplete="off"
        value={form.billingEmail}
        error={errors.billingEmail}
        hint="Optional. Where the client's statements go."
        onChange={(e) => set("billingEmail", e.target.value)}
      />
      <div className="form-row org-form-row">
        <TextField
          label="Monthly limit (USD)"
          inputMode="decimal"
          autoComplete="off"
          placeholder={d ? nanoToUsdString(d.defaultMonthlyLimitNano) : "1000"}
          value={form.monthlyLimitUsd}
          error={errors.monthlyLimitUsd}
          hint={d ? `Empty: the default, ${money(d.defaultMonthlyLimitNano)}.` : "Empty: the default limit."}
          onChange={(e) => set("monthlyLimitUsd", e.target.value)}
        />
        <TextField
          label="Markup"
          inputMode="decimal"
          autoComplete="off"
          placeholder={d && carries(d, "defaultMarkup") ? d.defaultMarkup : "1.3"}
          value={form.markup}
          error={errors.markup}
          hint={
            d && carries(d, "defaultMarkup")
              ? `Multiplier of the OpenRouter cost. Empty: the default, ${d.defaultMarkup}×.`
              : "Multiplier of the OpenRouter cost, e.g. 1.3. Empty: the default."
          }
          onChange={(e) => set("markup", e.target.value)}
        />
      </div>
      <CheckboxField
        label="Provision a dedicated OpenRouter key"
        checked={form.provisionKey}
        onChange={(e) => set("provisionKey", e.target.checked)}
        hint={
          <>
            Minted with the provisioning key from <Link to="/settings">Settings</Link>, limited upstream to
            the monthly limit, and shown here once.
          </>
        }
      />
      {form.provisionKey ? null : (
        <TextField
          label="OpenRouter key"
          type="password"
          autoComplete="off"
          spellCheck={false}
          placeholder="sk-or-v1-…"
          value={form.key}
          error={errors.key}
          hint="Optional: the client's own key. Without one, the client's administrator adds it later under Connections."
          onChange={(e) => set("key", e.target.value)}
        />
      )}
      <FormActions align="end" label="Create organisation" busy={create.isPending} onCancel={onDone} />
    </form>
  );
}
