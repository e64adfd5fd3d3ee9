// Inviting someone to the organisation (members.add): an e-mail, an optional name and a role. The
// answer is the same whoever the e-mail belongs to — nobody's account is touched — and carries an
// invitation code, shown once here with what to tell the invitee: open the join page, enter their
// e-mail, the code and a password of their own (or, with an account of no organisation already,
// sign in and accept it on their overview).
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Trans, useTranslation } from "react-i18next";
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


/** The join page's address on this dashboard (what the invitee opens). */
const joinUrl = () => `${window.location.origin}/join`;

/** The invitation just made: its code (once) and what to tell the invitee. */
function InvitationNotice({ result, organizationName, onDone }: { result: Invited; organizationName: string; onDone: () => void }) {
  const { t } = useTranslation("members");
  const { invitation, code } = result;
  const who = invitation.name ? `${invitation.name} (${invitation.email})` : invitation.email;
  return (
    <div className="stack">
      <Notice tone="success">
        <Trans
          t={t}
          i18nKey={invitation.role === "org_admin" ? "invite.invitedAdmin" : "invite.invitedMember"}
          values={{ who, organization: organizationName, date: dateTime(invitation.expiresAt) }}
          components={{ b: <strong /> }}
        />
      </Notice>
      <SecretOnce label={t("invite.codeLabel")} value={code} />
      <div>
        <p className="field-hint" style={{ marginTop: 0 }}>
          {t("invite.tell")}
        </p>
        <ol className="landing-steps field-hint">
          <li>
            <Trans t={t} i18nKey="invite.stepOpen" values={{ url: joinUrl() }} components={{ code: <code className="break-all" /> }} />
          </li>
          <li>{t("invite.stepEnter", { email: invitation.email })}</li>
          <li>{t("invite.stepSignIn")}</li>
        </ol>
        <p className="field-hint">{t("invite.codeOnce")}</p>
      </div>
      <FormActions label={t("invite.done")} onClick={onDone} />
    </div>
  );
}

export function InviteForm({ organizationId, organizationName }: { organizationId: string; organizationName: string }) {
  const { t } = useTranslation("members");
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
        toast.show(t("invite.created", { email: result.invitation.email }));
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
      email: !trimmedEmail ? t("invite.emailMissing") : isEmailAddress(trimmedEmail) ? null : t("invite.emailInvalid"),
      name: trimmedName.length > MAX_LENGTH.memberName ? t("invite.tooLong", { count: MAX_LENGTH.memberName }) : null,
    };
    setErrors(next);
    if (next.email || next.name) return;
    invite.mutate({ organizationId, email: trimmedEmail, role, ...(trimmedName ? { name: trimmedName } : {}) });
  };

  return (
    <form className="form" onSubmit={submit} noValidate>
      <MutationError error={invite.error}>{t("invite.failed")}</MutationError>
      <div className="form-row members-add-row">
        <TextField label={t("invite.email")} type="email" autoComplete="off" required maxLength={MAX_LENGTH.email} value={email} error={errors.email} onChange={(e) => setEmail(e.target.value)} />
        <TextField
          label={t("invite.name")}
          autoComplete="off"
          maxLength={MAX_LENGTH.memberName}
          value={name}
          error={errors.name}
          hint={t("invite.nameHint")}
          onChange={(e) => setName(e.target.value)}
        />
        <SelectField
          label={t("invite.role")}
          value={role}
          options={[
            { value: "member", label: t("invite.roleMember") },
            { value: "org_admin", label: t("invite.roleAdmin") },
          ]}
          hint={role === "org_admin" ? t("invite.adminHint") : t("invite.memberHint")}
          onChange={(e) => setRole(e.target.value as NewRole)}
        />
        <FormActions className="members-add-submit" label={t("invite.submit")} busy={invite.isPending} />
      </div>
      <p className="field-hint">
        {t("invite.footer")}
      </p>
    </form>
  );
}
