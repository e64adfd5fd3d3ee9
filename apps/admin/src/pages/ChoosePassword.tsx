// Where a sign-in with a temporary password lands (an administrator reset it): that session can do
// nothing but choose a new password, so this page stands alone, before the dashboard. Once the new
// password is saved the session becomes a full one and the user goes where they were heading.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { getRouteApi, useNavigate } from "@tanstack/react-router";
import { Trans, useTranslation } from "react-i18next";
import { Notice } from "../components/Feedback";
import { PasswordChangeForm } from "../components/PasswordChangeForm";
import { trpc } from "../trpc";

const route = getRouteApi("/choose-password");

export default function ChoosePassword() {
  const { t } = useTranslation("auth");
  const { me } = route.useRouteContext();
  const search = route.useSearch();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const logout = useMutation(
    trpc.auth.logout.mutationOptions({
      onSettled: async () => {
        queryClient.clear();
        await navigate({ to: "/sign-in" });
      },
    }),
  );
  return (
    <div className="signin">
      <section className="card" aria-labelledby="choose-password-title">
        <div className="brand" style={{ color: "var(--text)", padding: "0 0 16px" }}>
          <span className="brand-mark" aria-hidden="true">
            m
          </span>
          mAI Gateway
        </div>
        <h1 id="choose-password-title">{t("choosePassword.title")}</h1>
        <div className="stack">
          <Notice>
            <Trans t={t} i18nKey="choosePassword.notice" values={{ email: me.email }} components={{ b: <strong /> }} />
          </Notice>
          <PasswordChangeForm
            account={me}
            submitLabel={t("choosePassword.submit")}
            currentLabel={t("choosePassword.currentLabel")}
            onChanged={async () => {
              await navigate({ to: search.redirect ?? "/" });
            }}
          />
          <button
            type="button"
            className="link-button"
            onClick={() => logout.mutate()}
            disabled={logout.isPending}
          >
            {t("choosePassword.signOutInstead")}
          </button>
        </div>
      </section>
    </div>
  );
}
