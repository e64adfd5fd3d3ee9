// Where a sign-in with a temporary password lands (an administrator reset it): that session can do
// nothing but choose a new password, so this page stands alone, before the dashboard. Once the new
// password is saved the session becomes a full one and the user goes where they were heading.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { getRouteApi, useNavigate } from "@tanstack/react-router";
import { Notice } from "../components/Feedback";
import { PasswordChangeForm } from "../components/PasswordChangeForm";
import { trpc } from "../trpc";

const route = getRouteApi("/choose-password");

export default function ChoosePassword() {
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
        <h1 id="choose-password-title">Choose a new password</h1>
        <div className="stack">
          <Notice>
            You signed in as <strong>{me.email}</strong> with a temporary password. Choose your own password
            to continue; the temporary one stops working.
          </Notice>
          <PasswordChangeForm
            account={me}
            submitLabel="Save and continue"
            currentLabel="Temporary password"
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
            Sign out instead
          </button>
        </div>
      </section>
    </div>
  );
}
