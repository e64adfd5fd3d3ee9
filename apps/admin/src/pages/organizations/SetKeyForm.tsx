// Provider: attach the client's own OpenRouter key to an organisation (a provisioned key it replaces
// is deleted on OpenRouter after a grace period). The outcome stays in the dialog until "Done".
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Trans, useTranslation } from "react-i18next";
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
  const { t } = useTranslation("organizations");
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
            ? t("setKey.saved", { name: result.organization.name })
            : t("setKey.unchangedToast"),
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
            <Trans
              t={t}
              i18nKey="setKey.updated"
              values={{ name: organization.name, hint: organization.keyHint ?? "" }}
              components={{ code: <code /> }}
            />
          </Notice>
        ) : (
          <Notice tone="info">{t("setKey.unchanged", { name: organization.name })}</Notice>
        )}
        {previousKeyDeleteAfter ? (
          <p className="field-hint">{t("setKey.previousValid", { date: dateTime(previousKeyDeleteAfter) })}</p>
        ) : null}
        <FormActions align="end" label={t("setKey.done")} onClick={onDone} />
      </div>
    );
  }

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = key.trim();
    const problem = !trimmed ? t("setKey.missing") : keyProblem(trimmed);
    setError(problem);
    if (problem) return;
    setClientKey.mutate({ organizationId: o.id, key: trimmed });
  };

  return (
    <form className="form" onSubmit={submit} noValidate>
      <MutationError error={setClientKey.error}>{t("setKey.notSaved")}</MutationError>
      <p style={{ margin: 0 }}>
        {o.keyHint ? (
          <Trans
            t={t}
            i18nKey="setKey.uses"
            values={{
              name: o.name,
              hint: o.keyHint,
              source: o.keySource ? t(`cells.source.${o.keySource}`) : t("cells.unknownSource"),
            }}
            components={{ code: <code /> }}
          />
        ) : (
          t("setKey.noKey", { name: o.name })
        )}{" "}
        {o.provisioned ? t("setKey.provisionedNote") : null}
      </p>
      <TextField
        label={t("setKey.label")}
        type="password"
        autoComplete="off"
        spellCheck={false}
        placeholder="sk-or-v1-…"
        required
        value={key}
        error={error}
        hint={t("setKey.hint")}
        onChange={(e) => setKey(e.target.value)}
        autoFocus
      />
      <FormActions align="end" label={t("setKey.submit")} busy={setClientKey.isPending} onCancel={onDone} />
    </form>
  );
}
