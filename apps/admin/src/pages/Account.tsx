// The signed-in person's own account: change the password (the current one required; every other
// session of the account is signed out, this browser stays signed in) and sign out everywhere. The
// new password is checked here by the domain's rule (length, repetition, the account's own e-mail
// or name) before it is sent; the API applies the same rule and the list of common passwords.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { ConfirmDialog } from "../components/Dialog";
import { Notice } from "../components/Feedback";
import { FormActions } from "../components/FormActions";
import { MutationError } from "../components/MutationError";
import { Card, PageHeader } from "../components/Page";
import { PasswordChangeForm } from "../components/PasswordChangeForm";
import { useToast } from "../components/Toast";
import { RoleLabel } from "../components/RoleLabel";
import { useMe } from "../session";
import { trpc } from "../trpc";

function SignOutEverywhere() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [confirming, setConfirming] = useState(false);
  const signOut = useMutation(
    trpc.auth.signOutEverywhere.mutationOptions({
      onSuccess: async () => {
        setConfirming(false);
        queryClient.clear();
        queryClient.setQueryData(trpc.auth.me.queryKey(), null);
        await navigate({ to: "/sign-in" });
      },
    }),
  );
  return (
    <Card title="Sessions">
      <div className="stack">
        <p style={{ margin: 0 }}>
          Signed in on a computer you no longer use, or not sure who is? Signing out everywhere ends every
          session of your account, this one too. API tokens are not affected: revoke them under API tokens.
        </p>
        <FormActions
          label="Sign out everywhere"
          variant="secondary"
          onClick={() => {
            signOut.reset();
            setConfirming(true);
          }}
        />
      </div>
      <ConfirmDialog
        open={confirming}
        title="Sign out everywhere?"
        confirmLabel="Sign out everywhere"
        busy={signOut.isPending}
        onConfirm={() => signOut.mutate()}
        onClose={() => !signOut.isPending && setConfirming(false)}
      >
        <MutationError error={signOut.error} />
        <p>
          Every browser signed in to your account, this one included, is signed out. You sign in again with
          your password.
        </p>
      </ConfirmDialog>
    </Card>
  );
}

export default function Account() {
  const me = useMe();
  const toast = useToast();
  const [changed, setChanged] = useState(false);
  return (
    <>
      <PageHeader
        title="Account"
        description={
          <>
            {me.name ? `${me.name} · ` : ""}
            {me.email} · <RoleLabel role={me.role} />
          </>
        }
      />
      <div className="grid grid-2">
        <Card title="Change password">
          {changed ? (
            <div className="stack">
              <Notice tone="success">
                Your password was changed. Every other session of your account was signed out; this browser
                stays signed in.
              </Notice>
              <FormActions label="Change it again" variant="secondary" onClick={() => setChanged(false)} />
            </div>
          ) : (
            <PasswordChangeForm
              account={me}
              submitLabel="Change password"
              currentLabel="Current password"
              onChanged={() => {
                setChanged(true);
                toast.show("Password changed");
              }}
            />
          )}
        </Card>
        <SignOutEverywhere />
      </div>
    </>
  );
}
