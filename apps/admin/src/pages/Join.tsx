// Accept an invitation: the e-mail it was sent to, the code the administrator handed over, and a
// password of one's own; the account is created with the invited role in the inviting
// organisation, and the person is signed in. Someone who already has an account signs in instead:
// their invitations wait on their overview (the API refuses an e-mail that has an account, in words
// that say only that).
import { passwordProblem } from "@mai/domain/password";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { useState, type FormEvent } from "react";
import { TextField } from "../components/Field";
import { FormActions } from "../components/FormActions";
import { MutationError } from "../components/MutationError";
import { PublicPage } from "../components/PublicPage";
import { isEmailAddress, MAX_LENGTH } from "../lib/checks";
import { trpc } from "../trpc";

interface Errors {
  email?: string | null;
  code?: string | null;
  name?: string | null;
  password?: string | null;
}

export default function Join() {
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
      email: !trimmedEmail ? "Enter the e-mail address the invitation was sent to." : isEmailAddress(trimmedEmail) ? null : "Enter an e-mail address such as ola@example.com.",
      code: code.trim() ? null : "Enter the invitation code.",
      name: trimmedName.length > MAX_LENGTH.memberName ? `At most ${MAX_LENGTH.memberName} characters.` : null,
      password: passwordProblem(password, { email: trimmedEmail, name: trimmedName }),
    };
    setErrors(found);
    if (found.email || found.code || found.name || found.password) return;
    accept.mutate({ email: trimmedEmail, code: code.trim(), password, ...(trimmedName ? { name: trimmedName } : {}) });
  };

  return (
    <PublicPage
      title="Join your organisation"
      wide
      intro={<p style={{ margin: 0 }}>Your administrator invited you and gave you a code. Choose the password you will sign in with.</p>}
    >
      <form className="form" onSubmit={submit} noValidate>
        <MutationError error={accept.error}>You did not join.</MutationError>
        <TextField label="E-mail" type="email" name="email" autoComplete="username" required maxLength={MAX_LENGTH.email} value={email} error={errors.email} onChange={(e) => setEmail(e.target.value)} autoFocus />
        <TextField
          label="Invitation code"
          name="invitation-code"
          autoComplete="off"
          autoCapitalize="characters"
          spellCheck={false}
          required
          maxLength={MAX_LENGTH.invitationCode}
          placeholder="XXXX-XXXX-XXXX-XXXX-XXXX-XXXX"
          value={code}
          error={errors.code}
          hint="Capitals, dashes and spaces do not matter. The code works once, for 7 days."
          onChange={(e) => setCode(e.target.value)}
        />
        <TextField
          label="Your name"
          name="name"
          autoComplete="name"
          maxLength={MAX_LENGTH.memberName}
          value={name}
          error={errors.name}
          hint="Optional: otherwise the name your administrator gave."
          onChange={(e) => setName(e.target.value)}
        />
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
        <FormActions label="Join" busy={accept.isPending} />
      </form>
      <ul className="signin-links">
        <li>
          Already have an account? <Link to="/sign-in">Sign in</Link>: your invitations are on your overview.
        </li>
      </ul>
    </PublicPage>
  );
}
