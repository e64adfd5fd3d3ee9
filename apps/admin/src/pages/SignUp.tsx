// Sign up with the OpenRouter key the provider handed over — "the key is the invitation": a key the
// provider minted for an organisation without an administrator makes this person its
// administrator; a key of one's own creates a new organisation with the provider's defaults. The
// form checks what it can before sending (the e-mail, the password rule without the list of common
// passwords, the key's format); the API checks it all again and says why it refuses. Signed up, the
// person is signed in and lands on their organisation's overview. When the provider has turned
// self sign-up off, the page says so instead of showing the form.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { useState, type FormEvent } from "react";
import { Trans, useTranslation } from "react-i18next";
import { Notice, Skeleton } from "../components/Feedback";
import { TextField } from "../components/Field";
import { FormActions } from "../components/FormActions";
import { MutationError } from "../components/MutationError";
import { PublicPage } from "../components/PublicPage";
import { useToast } from "../components/Toast";
import { checkPassword, isEmailAddress, keyProblem, MAX_LENGTH } from "../lib/checks";
import { trpc } from "../trpc";

interface Errors {
  email?: string | null;
  name?: string | null;
  password?: string | null;
  key?: string | null;
}

function SignUpForm() {
  const { t } = useTranslation("auth");
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [key, setKey] = useState("");
  const [errors, setErrors] = useState<Errors>({});
  const signUp = useMutation(
    trpc.auth.signUpWithKey.mutationOptions({
      onSuccess: async (result) => {
        queryClient.clear();
        queryClient.setQueryData(trpc.auth.me.queryKey(), result.me);
        toast.show(
          result.status === "claimed"
            ? t("signUp.claimed", { name: result.organization.name })
            : t("signUp.created", { name: result.organization.name }),
        );
        await navigate({ to: "/" });
      },
    }),
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmedEmail = email.trim();
    const trimmedName = name.trim();
    const found: Errors = {
      email: !trimmedEmail ? t("signUp.emailMissing") : isEmailAddress(trimmedEmail) ? null : t("fields.emailInvalid"),
      name: trimmedName ? null : t("signUp.nameMissing"),
      password: checkPassword(password, { email: trimmedEmail, name: trimmedName }),
      key: key.trim() ? keyProblem(key.trim()) : t("signUp.keyMissing"),
    };
    setErrors(found);
    if (found.email || found.name || found.password || found.key) return;
    signUp.mutate({ email: trimmedEmail, name: trimmedName, password, openRouterKey: key.trim() });
  };

  return (
    <form className="form" onSubmit={submit} noValidate>
      <MutationError error={signUp.error}>{t("signUp.failed")}</MutationError>
      <TextField label={t("fields.email")} type="email" name="email" autoComplete="username" required maxLength={MAX_LENGTH.email} value={email} error={errors.email} onChange={(e) => setEmail(e.target.value)} autoFocus />
      <TextField label={t("fields.name")} name="name" autoComplete="name" required maxLength={MAX_LENGTH.memberName} value={name} error={errors.name} onChange={(e) => setName(e.target.value)} />
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
      <TextField
        label={t("signUp.keyLabel")}
        type="password"
        name="openrouter-key"
        autoComplete="off"
        spellCheck={false}
        required
        placeholder="sk-or-v1-…"
        value={key}
        error={errors.key}
        hint={t("signUp.keyHint")}
        onChange={(e) => setKey(e.target.value)}
      />
      <FormActions label={t("signUp.submit")} busy={signUp.isPending} />
    </form>
  );
}

export default function SignUp() {
  const { t } = useTranslation("auth");
  const enabled = useQuery(trpc.auth.signUpEnabled.queryOptions());
  return (
    <PublicPage
      title={t("signUp.title")}
      wide
      intro={<p style={{ margin: 0 }}>{t("signUp.intro")}</p>}
    >
      {enabled.data?.enabled === false ? (
        <Notice tone="info">{t("signUp.off")}</Notice>
      ) : enabled.data ? (
        <SignUpForm />
      ) : enabled.isPending ? (
        <Skeleton lines={4} />
      ) : (
        <SignUpForm />
      )}
      <ul className="signin-links">
        <li>
          <Trans t={t} i18nKey="signUp.haveAccount" components={{ a: <Link to="/sign-in" /> }} />
        </li>
        <li>
          <Trans t={t} i18nKey="signUp.gotCode" components={{ a: <Link to="/join" /> }} />
        </li>
      </ul>
    </PublicPage>
  );
}
