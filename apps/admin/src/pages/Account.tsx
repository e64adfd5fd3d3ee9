// The signed-in person's own account: change the password (the current one required; every other
// session of the account is signed out, this browser stays signed in) and sign out everywhere. The
// new password is checked here by the domain's rule (length, repetition, the account's own e-mail
// or name) before it is sent; the API applies the same rule and the list of common passwords.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ConfirmDialog } from "../components/Dialog";
import { Notice } from "../components/Feedback";
import { FormActions } from "../components/FormActions";
import { MutationError } from "../components/MutationError";
import { Card, PageHeader } from "../components/Page";
import { PasswordChangeForm } from "../components/PasswordChangeForm";
import { useToast } from "../components/Toast";
import { RoleLabel, useNameBesideRole } from "../components/RoleLabel";
import { useMe } from "../session";
import { trpc } from "../trpc";

function SignOutEverywhere() {
  const { t } = useTranslation("auth");
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
    <Card title={t("account.sessionsTitle")}>
      <div className="stack">
        <p style={{ margin: 0 }}>
          {t("account.sessionsText")}
        </p>
        <FormActions
          label={t("account.signOutEverywhere")}
          variant="secondary"
          onClick={() => {
            signOut.reset();
            setConfirming(true);
          }}
        />
      </div>
      <ConfirmDialog
        open={confirming}
        title={t("account.confirmTitle")}
        confirmLabel={t("account.signOutEverywhere")}
        busy={signOut.isPending}
        onConfirm={() => signOut.mutate()}
        onClose={() => !signOut.isPending && setConfirming(false)}
      >
        <MutationError error={signOut.error} />
        <p>
          {t("account.confirmText")}
        </p>
      </ConfirmDialog>
    </Card>
  );
}

export default function Account() {
  const { t } = useTranslation("auth");
  const me = useMe();
  const toast = useToast();
  const [changed, setChanged] = useState(false);
  const name = useNameBesideRole(me);
  return (
    <>
      <PageHeader
        title={t("account.title")}
        description={
          <>
            {name ? `${name} · ` : ""}
            {me.email} · <RoleLabel role={me.role} />
          </>
        }
      />
      <div className="grid grid-2">
        <Card title={t("account.changeTitle")}>
          {changed ? (
            <div className="stack">
              <Notice tone="success">
                {t("account.changed")}
              </Notice>
              <FormActions label={t("account.changeAgain")} variant="secondary" onClick={() => setChanged(false)} />
            </div>
          ) : (
            <PasswordChangeForm
              account={me}
              submitLabel={t("account.changeSubmit")}
              currentLabel={t("account.currentLabel")}
              onChanged={() => {
                setChanged(true);
                toast.show(t("account.changedToast"));
              }}
            />
          )}
        </Card>
        <SignOutEverywhere />
      </div>
    </>
  );
}
