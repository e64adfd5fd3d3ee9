// Sign up with the OpenRouter key the provider handed over — "the key is the invitation": a key the
// provider minted for an organisation without an administrator makes this person its
// administrator; a key of one's own creates a new organisation with the provider's defaults. The
// form checks what it can before sending (the e-mail, the password rule without the list of common
// passwords, the key's format); the API checks it all again and says why it refuses. Signed up, the
// person is signed in and lands on their organisation's overview. When the provider has turned
// self sign-up off, the page says so instead of showing the form.
import { passwordProblem } from "@mai/domain/password";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { useState, type FormEvent } from "react";
import { Notice, Skeleton } from "../components/Feedback";
import { TextField } from "../components/Field";
import { FormActions } from "../components/FormActions";
import { MutationError } from "../components/MutationError";
import { PublicPage } from "../components/PublicPage";
import { useToast } from "../components/Toast";
import { isEmailAddress, keyProblem, MAX_LENGTH } from "../lib/checks";
import { trpc } from "../trpc";

interface Errors {
  email?: string | null;
  name?: string | null;
  password?: string | null;
  key?: string | null;
}

function SignUpForm() {
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
        toast.show(result.status === "claimed" ? `You are the administrator of ${result.organization.name}` : `Organisation ${result.organization.name} created`);
        await navigate({ to: "/" });
      },
    }),
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmedEmail = email.trim();
    const trimmedName = name.trim();
    const found: Errors = {
      email: !trimmedEmail ? "Enter your e-mail address." : isEmailAddress(trimmedEmail) ? null : "Enter an e-mail address such as ola@example.com.",
      name: trimmedName ? null : "Enter your name.",
      password: passwordProblem(password, { email: trimmedEmail, name: trimmedName }),
      key: key.trim() ? keyProblem(key.trim()) : "Paste the OpenRouter key your provider gave you.",
    };
    setErrors(found);
    if (found.email || found.name || found.password || found.key) return;
    signUp.mutate({ email: trimmedEmail, name: trimmedName, password, openRouterKey: key.trim() });
  };

  return (
    <form className="form" onSubmit={submit} noValidate>
      <MutationError error={signUp.error}>You were not signed up.</MutationError>
      <TextField label="E-mail" type="email" name="email" autoComplete="username" required maxLength={MAX_LENGTH.email} value={email} error={errors.email} onChange={(e) => setEmail(e.target.value)} autoFocus />
      <TextField label="Your name" name="name" autoComplete="name" required maxLength={MAX_LENGTH.memberName} value={name} error={errors.name} onChange={(e) => setName(e.target.value)} />
      <TextField
        label="Password"
        type="password"
        name="new-password"
        autoComplete="new-password"
        required
        value={password}
        error={errors.password}
        hint="At least 12 characters; a few words you remember make a good one."
        onChange={(e) => setPassword(e.target.value)}
      />
      <TextField
        label="OpenRouter key"
        type="password"
        name="openrouter-key"
        autoComplete="off"
        spellCheck={false}
        required
        placeholder="sk-or-v1-…"
        value={key}
        error={errors.key}
        hint="The key your provider gave you. It links your account to your organisation; it is stored encrypted and never shown in full again."
        onChange={(e) => setKey(e.target.value)}
      />
      <FormActions label="Sign up" busy={signUp.isPending} />
    </form>
  );
}

export default function SignUp() {
  const enabled = useQuery(trpc.auth.signUpEnabled.queryOptions());
  return (
    <PublicPage
      title="Sign up"
      wide
      intro={<p style={{ margin: 0 }}>For a client's administrator: your e-mail, your name, a password, and the OpenRouter key your provider gave you.</p>}
    >
      {enabled.data?.enabled === false ? (
        <Notice tone="info">Self sign-up is turned off by your provider. Ask your provider for an account, or your administrator for an invitation.</Notice>
      ) : enabled.data ? (
        <SignUpForm />
      ) : enabled.isPending ? (
        <Skeleton lines={4} />
      ) : (
        <SignUpForm />
      )}
      <ul className="signin-links">
        <li>
          Already have an account? <Link to="/sign-in">Sign in</Link>
        </li>
        <li>
          Got an invitation code from your administrator? <Link to="/join">Join your organisation</Link>
        </li>
      </ul>
    </PublicPage>
  );
}
