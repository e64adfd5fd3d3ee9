// Sign in with e-mail and password; the API sets the httpOnly session cookie. Wrong credentials
// and throttling (too many attempts) are said plainly; afterwards the user lands where they wanted.
// Below the form, the ways in for people without an account: joining with an invitation code, and
// signing up with an OpenRouter key (only while the provider allows self sign-up).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { getRouteApi, Link, useNavigate } from "@tanstack/react-router";
import { useState, type FormEvent } from "react";
import { Trans, useTranslation } from "react-i18next";
import { Button } from "../components/Button";
import { TextField } from "../components/Field";
import { MutationError } from "../components/MutationError";
import { PublicBrand } from "../components/PublicPage";
import { errorMessage } from "../lib/errors";
import { i18n } from "../i18n";
import { trpc } from "../trpc";
import { TRPCClientError } from "@trpc/client";

const route = getRouteApi("/sign-in");

function signInError(error: unknown): string {
  if (error instanceof TRPCClientError) {
    const code = (error.data as { code?: string } | undefined)?.code;
    // How long to wait (errorMessage says it from the API's retryAfterSeconds).
    if (code === "TOO_MANY_REQUESTS") return errorMessage(error);
    // An expired temporary password is said as such (only to whoever typed the right one).
    if (code === "UNAUTHORIZED")
      return /temporary password/.test(error.message) ? error.message : i18n.t("signIn.wrongCredentials", { ns: "auth" });
  }
  return errorMessage(error);
}

export default function SignIn() {
  const { t } = useTranslation("auth");
  const search = route.useSearch();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const signUp = useQuery(trpc.auth.signUpEnabled.queryOptions());
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const login = useMutation(
    trpc.auth.login.mutationOptions({
      onSuccess: async (me) => {
        queryClient.clear();
        queryClient.setQueryData(trpc.auth.me.queryKey(), me);
        await navigate({ to: search.redirect ?? "/" });
      },
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    login.mutate({ email, password });
  };
  return (
    <div className="signin">
      <section className="card" aria-labelledby="signin-title">
        <PublicBrand />
        <h1 id="signin-title">{t("signIn.title")}</h1>
        <p className="muted" style={{ marginTop: 0 }}>
          {t("signIn.intro")}
        </p>
        <form className="form" onSubmit={submit} noValidate>
          <MutationError error={login.error} describe={signInError} />
          <TextField label={t("fields.email")} type="email" name="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} autoFocus />
          <TextField label={t("fields.password")} type="password" name="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
          <Button type="submit" variant="primary" busy={login.isPending} disabled={!email || !password}>
            {t("signIn.submit")}
          </Button>
        </form>
        <ul className="signin-links">
          {signUp.data?.enabled ? (
            <li>
              <Trans t={t} i18nKey="signIn.signUpOffer" components={{ a: <Link to="/sign-up" /> }} />
            </li>
          ) : null}
          <li>
            <Trans t={t} i18nKey="signIn.joinOffer" components={{ a: <Link to="/join" /> }} />
          </li>
        </ul>
      </section>
    </div>
  );
}
