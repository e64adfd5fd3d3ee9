// Choosing a new password, on the Account page and on the page a temporary password lands on: the
// current password, the new one twice. The domain's rule (at least 12 characters, not a run like
// "aaaaaaaaaaaa", not built from the account's e-mail or name) is checked before sending; the API
// checks it again together with the list of common passwords, which this bundle does not carry.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { checkPassword } from "../lib/checks";
import type { Me } from "../session";
import { trpc } from "../trpc";
import { TextField } from "./Field";
import { FormActions } from "./FormActions";
import { MutationError } from "./MutationError";

export interface PasswordChangeFormProps {
  account: Pick<Me, "email" | "name">;
  submitLabel: string;
  /** "Current password", or "Temporary password" on the forced page. */
  currentLabel: string;
  onChanged: (me: Me) => void | Promise<void>;
}

interface Errors {
  current?: string | null;
  next?: string | null;
  confirm?: string | null;
}

export function PasswordChangeForm({
  account,
  submitLabel,
  currentLabel,
  onChanged,
}: PasswordChangeFormProps) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [confirm, setConfirm] = useState("");
  const [errors, setErrors] = useState<Errors>({});
  const change = useMutation(
    trpc.auth.changePassword.mutationOptions({
      onSuccess: async (me) => {
        setCurrent("");
        setNext("");
        setConfirm("");
        queryClient.setQueryData(trpc.auth.me.queryKey(), me);
        await onChanged(me);
      },
    }),
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found: Errors = {
      current: current ? null : t("password.enterCurrent", { label: currentLabel.toLowerCase() }),
      next: checkPassword(next, { email: account.email, name: account.name }),
      confirm: confirm === next ? null : t("password.differ"),
    };
    if (!found.next && next === current) found.next = t("password.sameAsCurrent");
    setErrors(found);
    if (found.current || found.next || found.confirm) return;
    change.mutate({ currentPassword: current, newPassword: next });
  };

  return (
    <form className="form" onSubmit={submit} noValidate>
      <MutationError error={change.error}>{t("password.notChanged")}</MutationError>
      {/* A hidden username field lets password managers file the new password under the right account. */}
      <input type="email" name="username" autoComplete="username" value={account.email} readOnly hidden />
      <TextField
        label={currentLabel}
        type="password"
        autoComplete="current-password"
        required
        value={current}
        error={errors.current}
        onChange={(e) => setCurrent(e.target.value)}
      />
      <TextField
        label={t("password.newLabel")}
        type="password"
        autoComplete="new-password"
        required
        value={next}
        error={errors.next}
        hint={t("password.newHint")}
        onChange={(e) => setNext(e.target.value)}
      />
      <TextField
        label={t("password.confirmLabel")}
        type="password"
        autoComplete="new-password"
        required
        value={confirm}
        error={errors.confirm}
        onChange={(e) => setConfirm(e.target.value)}
      />
      <FormActions label={submitLabel} busy={change.isPending} />
    </form>
  );
}
