// Inviting someone to the organisation (members.add): an e-mail, an optional name and a role. The
// answer is the same whoever the e-mail belongs to — nobody's account is touched — and carries an
// invitation code, shown once here with what to tell the invitee: open the join page, enter their
// e-mail, the code and a password of their own (or, with an account of no organisation already,
// sign in and accept it on their overview).
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { SecretOnce } from "../../components/CopyButton";
import { Notice } from "../../components/Feedback";
import { SelectField, TextField } from "../../components/Field";
import { FormActions } from "../../components/FormActions";
import { MutationError } from "../../components/MutationError";
import { useToast } from "../../components/Toast";
import { isEmailAddress, MAX_LENGTH } from "../../lib/checks";
import { dateTime } from "../../lib/format";
import type { RouterOutputs } from "../../session";
import { trpc } from "../../trpc";

type Invited = RouterOutputs["members"]["add"];
type NewRole = "member" | "org_admin";

const ROLE_OPTIONS: readonly { value: NewRole; label: string }[] = [
  { value: "member", label: "Member" },
  { value: "org_admin", label: "Client administrator" },
];
const AS_ROLE = { org_admin: "a client administrator", member: "a member" } as const;

/** The join page's address on this dashboard (what the invitee opens). */
const joinUrl = () => `${window.location.origin}/join`;

/** The invitation just made: its code (once) and what to tell the invitee. */
function InvitationNotice({ result, organizationName, onDone }: { result: Invited; organizationName: string; onDone: () => void }) {
  const { invitation, code } = result;
  const who = invitation.name ? `${invitation.name} (${invitation.email})` : invitation.email;
  return (
    <div className="stack">
      <Notice tone="success">
        <strong>{who}</strong> is invited to {organizationName} as {AS_ROLE[invitation.role]}, until {dateTime(invitation.expiresAt)}.
      </Notice>
      <SecretOnce label="invitation code" value={code} />
      <div>
        <p className="field-hint" style={{ marginTop: 0 }}>
          Tell them, in person or over a safe channel:
        </p>
        <ol className="landing-steps field-hint">
          <li>
            Open <code className="break-all">{joinUrl()}</code>.
          </li>
          <li>Enter {invitation.email}, this code and a password of your own.</li>
          <li>If you already have an account here, sign in instead: the invitation waits on your overview.</li>
        </ol>
        <p className="field-hint">The code works once, and only with this e-mail address. Inviting the same address again replaces it.</p>
      </div>
      <FormActions label="Done, I have copied it" onClick={onDone} />
    </div>
  );
}

export function InviteForm({ organizationId, organizationName }: { organizationId: string; organizationName: string }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [role, setRole] = useState<NewRole>("member");
  const [errors, setErrors] = useState<{ email?: string | null; name?: string | null }>({});
  const invite = useMutation(
    trpc.members.add.mutationOptions({
      onSuccess: async (result) => {
        setEmail("");
        setName("");
        setRole("member");
        toast.show(`Invitation for ${result.invitation.email} created`);
        await queryClient.invalidateQueries(trpc.members.invitations.pathFilter());
      },
    }),
  );

  if (invite.data) return <InvitationNotice result={invite.data} organizationName={organizationName} onDone={() => invite.reset()} />;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmedEmail = email.trim();
    const trimmedName = name.trim();
    const next = {
      email: !trimmedEmail ? "Enter the person's e-mail address." : isEmailAddress(trimmedEmail) ? null : "Enter an e-mail address such as ada@example.com.",
      name: trimmedName.length > MAX_LENGTH.memberName ? `At most ${MAX_LENGTH.memberName} characters.` : null,
    };
    setErrors(next);
    if (next.email || next.name) return;
    invite.mutate({ organizationId, email: trimmedEmail, role, ...(trimmedName ? { name: trimmedName } : {}) });
  };

  return (
    <form className="form" onSubmit={submit} noValidate>
      <MutationError error={invite.error}>Nobody was invited.</MutationError>
      <div className="form-row members-add-row">
        <TextField label="E-mail" type="email" autoComplete="off" required maxLength={MAX_LENGTH.email} value={email} error={errors.email} onChange={(e) => setEmail(e.target.value)} />
        <TextField
          label="Name"
          autoComplete="off"
          maxLength={MAX_LENGTH.memberName}
          value={name}
          error={errors.name}
          hint="Optional; they can change it when they join."
          onChange={(e) => setName(e.target.value)}
        />
        <SelectField
          label="Role"
          value={role}
          options={ROLE_OPTIONS}
          hint={role === "org_admin" ? "Also manages members and sees all usage." : "Uses the gateway and sees their own usage."}
          onChange={(e) => setRole(e.target.value as NewRole)}
        />
        <FormActions className="members-add-submit" label="Invite" busy={invite.isPending} />
      </div>
      <p className="field-hint">
        You get an invitation code to hand over. The person joins when they use it with a password of their own; nothing changes for them until then.
      </p>
    </form>
  );
}
