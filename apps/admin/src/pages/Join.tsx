// Accept an invitation: the e-mail it was sent to, the code the administrator handed over, and a
// password of one's own; the account is created with the invited role in the inviting
// organisation, and the person is signed in. Someone who already has an account signs in instead:
// their invitations wait on their overview (the API refuses an e-mail that has an account, in words
// that say only that).
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { useState, type FormEvent } from "react";
import { Trans, useTranslation } from "react-i18next";
import { TextField } from "../components/Field";
import { FormActions } from "../components/FormActions";
import { MutationError } from "../components/MutationError";
import { PublicPage } from "../components/PublicPage";
import { checkPassword, isEmailAddress, MAX_LENGTH } from "../lib/checks";
import { trpc } from "../trpc";

interface Errors {
  email?: string | null;
  code?: string | null;
  name?: string | null;
  password?: string | null;
}

export default function Join() {
  const { t } = useTranslation("auth");
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState("");
  const [code, setCode] = useState("");
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<Errors>({});
  const accept = useMutation(
    trpc.auth.acceptInvitation.mutationOptions({
      onSuccess: async (me) => {
        queryClient.clear();
        queryClient.setQueryData(trpc.auth.me.queryKey(), me);
        await navigate({ to: "/" });
      },
    }),
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmedEmail = email.trim();
    const trimmedName = name.trim();
    const found: Errors = {
      email: !trimmedEmail ? t("join.emailMissing") : isEmailAddress(trimmedEmail) ? null : t("fields.emailInvalid"),
      code: code.trim() ? null : t("join.codeMissing"),
      name: trimmedName.length > MAX_LENGTH.memberName ? t("join.nameTooLong", { count: MAX_LENGTH.memberName }) : null,
      password: checkPassword(password, { email: trimmedEmail, name: trimmedName }),
    };
    setErrors(found);
    if (found.email || found.code || found.name || found.password) return;
    accept.mutate({ email: trimmedEmail, code: code.trim(), password, ...(trimmedName ? { name: trimmedName } : {}) });
  };

  return (
    <PublicPage
      title={t("join.title")}
      wide
      intro={<p style={{ margin: 0 }}>{t("join.intro")}</p>}
    >
      <form className="form" onSubmit={submit} noValidate>
        <MutationError error={accept.error}>{t("join.failed")}</MutationError>
        <TextField label={t("fields.email")} type="email" name="email" autoComplete="username" required maxLength={MAX_LENGTH.email} value={email} error={errors.email} onChange={(e) => setEmail(e.target.value)} autoFocus />
        <TextField
          label={t("join.codeLabel")}
          name="invitation-code"
          autoComplete="off"
          autoCapitalize="characters"
          spellCheck={false}
          required
          maxLength={MAX_LENGTH.invitationCode}
          placeholder="XXXX-XXXX-XXXX-XXXX-XXXX-XXXX"
          value={code}
          error={errors.code}
          hint={t("join.codeHint")}
          onChange={(e) => setCode(e.target.value)}
        />
        <TextField
          label={t("fields.name")}
          name="name"
          autoComplete="name"
          maxLength={MAX_LENGTH.memberName}
          value={name}
          error={errors.name}
          hint={t("join.nameHint")}
          onChange={(e) => setName(e.target.value)}
        />
        <TextField
          label={t("fields.password")}
          type="password"
          name="new-password"
          autoComplete="new-password"
          required
          value={password}
          error={errors.password}
          hint={t("fields.passwordHint")}
          onChange={(e) => setPassword(e.target.value)}
        />
        <FormActions label={t("join.submit")} busy={accept.isPending} />
      </form>
      <ul className="signin-links">
        <li>
          <Trans t={t} i18nKey="join.haveAccount" components={{ a: <Link to="/sign-in" /> }} />
        </li>
      </ul>
    </PublicPage>
  );
}
