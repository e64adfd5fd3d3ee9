// The members of the organisation in scope: who they are, their role and the external user id the
// gateway sends to OpenRouter for them. Administrators add members (a new account gets a one-time
// password, shown once, to hand over) and remove them (they keep their account but lose the
// organisation). Nobody removes themselves here: the API refuses it, so the button is not offered.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useState, type FormEvent } from "react";
import { Button } from "../components/Button";
import { SecretOnce } from "../components/CopyButton";
import { DataTable, type Column } from "../components/DataTable";
import { ConfirmDialog } from "../components/Dialog";
import { Badge, EmptyState, ErrorNotice, Notice, Skeleton } from "../components/Feedback";
import { SelectField, TextField } from "../components/Field";
import { FormActions } from "../components/FormActions";
import { MutationError } from "../components/MutationError";
import { Card, PageHeader } from "../components/Page";
import { useToast } from "../components/Toast";
import { count, dateTime } from "../lib/format";
import { ROLE_LABEL } from "../nav";
import { useMe, useOrgScope, type RouterOutputs } from "../session";
import { isEmailAddress, MAX_LENGTH } from "../lib/checks";
import { trpc } from "../trpc";
import { ResetPasswordDialog } from "./members/ResetPasswordDialog";

type Member = RouterOutputs["members"]["list"][number];
type AddResult = RouterOutputs["members"]["add"];
type NewRole = "member" | "org_admin";

const ROLE_TONE = { provider_admin: "warning", org_admin: "info", member: "neutral" } as const;
const ROLE_ORDER = { provider_admin: 0, org_admin: 1, member: 2 } as const;
const ROLE_OPTIONS: readonly { value: NewRole; label: string }[] = [
  { value: "member", label: "Member" },
  { value: "org_admin", label: "Client administrator" },
];
const AS_ROLE = { provider_admin: "a provider administrator", org_admin: "a client administrator", member: "a member" } as const;

/** What happened after an add: a new account with its password to hand over, or an existing one. */
function AddedNotice({ result, organizationName, onDone }: { result: AddResult; organizationName: string; onDone: () => void }) {
  const { member, oneTimePassword } = result;
  const who = member.name ? `${member.name} (${member.email})` : member.email;
  return (
    <div className="stack">
      {oneTimePassword ? (
        <>
          <Notice tone="success">
            New account for <strong>{who}</strong>, added to {organizationName} as {AS_ROLE[member.role]}.
          </Notice>
          <SecretOnce label="one-time password" value={oneTimePassword} />
          <p className="field-hint">
            Hand it over in person or over a safe channel: they sign in with their e-mail and this password. Their external user id is{" "}
            <code>{member.externalUserId}</code>.
          </p>
        </>
      ) : (
        <Notice tone="success">
          <strong>{who}</strong> already had an account and was added to {organizationName} as {AS_ROLE[member.role]}. They sign in with their existing
          password.
        </Notice>
      )}
      <FormActions label={oneTimePassword ? "Done, I have copied it" : "Add another member"} onClick={onDone} />
    </div>
  );
}

function AddMemberForm({ organizationId, organizationName }: { organizationId: string; organizationName: string }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [role, setRole] = useState<NewRole>("member");
  const [errors, setErrors] = useState<{ email?: string | null; name?: string | null }>({});
  const add = useMutation(
    trpc.members.add.mutationOptions({
      onSuccess: async (result) => {
        setEmail("");
        setName("");
        setRole("member");
        toast.show(result.created ? `Account created for ${result.member.email}` : `${result.member.email} added`);
        await Promise.all([
          queryClient.invalidateQueries(trpc.members.pathFilter()),
          // The member count on the organisations page.
          queryClient.invalidateQueries(trpc.organizations.pathFilter()),
        ]);
      },
    }),
  );

  if (add.data) return <AddedNotice result={add.data} organizationName={organizationName} onDone={() => add.reset()} />;

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
    add.mutate({ organizationId, email: trimmedEmail, role, ...(trimmedName ? { name: trimmedName } : {}) });
  };

  return (
    <form className="form" onSubmit={submit} noValidate>
      <MutationError error={add.error}>The member was not added.</MutationError>
      <div className="form-row members-add-row">
        <TextField label="E-mail" type="email" autoComplete="off" required maxLength={MAX_LENGTH.email} value={email} error={errors.email} onChange={(e) => setEmail(e.target.value)} />
        <TextField
          label="Name"
          autoComplete="off"
          maxLength={MAX_LENGTH.memberName}
          value={name}
          error={errors.name}
          hint="Optional; for a new account."
          onChange={(e) => setName(e.target.value)}
        />
        <SelectField
          label="Role"
          value={role}
          options={ROLE_OPTIONS}
          hint={role === "org_admin" ? "Also manages members and sees all usage." : "Uses the gateway and sees their own usage."}
          onChange={(e) => setRole(e.target.value as NewRole)}
        />
        <FormActions className="members-add-submit" label="Add member" busy={add.isPending} />
      </div>
      <p className="field-hint">
        A new e-mail gets an account with a one-time password to hand over. Someone who already has an account joins if they belong to no organisation yet.
      </p>
    </form>
  );
}

function MembersOf({ organizationId, organizationName }: { organizationId: string; organizationName: string }) {
  const me = useMe();
  const queryClient = useQueryClient();
  const toast = useToast();
  const members = useQuery(trpc.members.list.queryOptions({ organizationId }));
  const [removing, setRemoving] = useState<Member | null>(null);
  const [resetting, setResetting] = useState<Member | null>(null);
  const remove = useMutation(
    trpc.members.remove.mutationOptions({
      onSuccess: async () => {
        toast.show(`${removing?.email ?? "The member"} removed from ${organizationName}`);
        setRemoving(null);
        await Promise.all([queryClient.invalidateQueries(trpc.members.pathFilter()), queryClient.invalidateQueries(trpc.organizations.pathFilter())]);
      },
    }),
  );

  const columns: Column<Member>[] = [
    {
      key: "name",
      header: "Name",
      sortValue: (m) => (m.name || m.email).toLowerCase(),
      cell: (m) => (
        <span>
          {m.name || <span className="muted">—</span>}
          {m.id === me.id ? (
            <>
              {" "}
              <Badge>you</Badge>
            </>
          ) : null}
        </span>
      ),
    },
    { key: "email", header: "E-mail", sortValue: (m) => m.email.toLowerCase(), cell: (m) => <span className="members-email">{m.email}</span> },
    { key: "role", header: "Role", sortValue: (m) => ROLE_ORDER[m.role], cell: (m) => <Badge tone={ROLE_TONE[m.role]}>{ROLE_LABEL[m.role]}</Badge> },
    { key: "external", header: "External user id", sortValue: (m) => m.externalUserId, cell: (m) => <code className="break-all">{m.externalUserId}</code> },
    { key: "joined", header: "Joined", sortValue: (m) => m.joinedAt.getTime(), cell: (m) => <span className="members-joined">{dateTime(m.joinedAt)}</span> },
    {
      key: "actions",
      header: "Actions",
      align: "right",
      cell: (m) =>
        m.id === me.id ? null : (
          <span className="row" style={{ justifyContent: "flex-end" }}>
            <Button size="sm" variant="ghost" aria-label={`Reset the password of ${m.name || m.email}`} onClick={() => setResetting(m)}>
              Reset password
            </Button>
            <Button
              size="sm"
              variant="ghost"
              aria-label={`Remove ${m.name || m.email}`}
              onClick={() => {
                remove.reset();
                setRemoving(m);
              }}
            >
              Remove
            </Button>
          </span>
        ),
    },
  ];

  const rows = members.data ?? [];
  return (
    <div className="stack">
      <Card title="Add a member">
        <AddMemberForm organizationId={organizationId} organizationName={organizationName} />
      </Card>

      <Card title={members.data ? `Members (${count(rows.length)})` : "Members"}>
        {members.error ? <ErrorNotice error={members.error} onRetry={() => void members.refetch()} /> : null}
        {members.data ? (
          rows.length ? (
            <DataTable rows={rows} columns={columns} rowKey={(m) => m.id} caption={`Members of ${organizationName}`} initialSort={{ key: "joined", direction: "asc" }} />
          ) : (
            <EmptyState title="No members yet">
              Add the client's administrator first, with the role “Client administrator”: they can then add their colleagues themselves.
            </EmptyState>
          )
        ) : members.isPending ? (
          <Skeleton lines={4} height="1.4rem" />
        ) : null}
      </Card>
      <ResetPasswordDialog organizationId={organizationId} member={resetting} onClose={() => setResetting(null)} />
      <ConfirmDialog
        open={removing !== null}
        title={`Remove ${removing?.name || removing?.email || ""}?`}
        confirmLabel="Remove member"
        busy={remove.isPending}
        onConfirm={() => removing && remove.mutate({ organizationId, userId: removing.id })}
        onClose={() => !remove.isPending && setRemoving(null)}
      >
        <MutationError error={remove.error} />
        <p>
          <strong>{removing?.email}</strong> leaves {organizationName}: the gateway refuses their chat requests from now on and the dashboard no longer shows
          them the organisation. They keep their account, and the usage they incurred stays in the statements.
        </p>
      </ConfirmDialog>
    </div>
  );
}

export default function Members() {
  const me = useMe();
  const scope = useOrgScope();
  const provider = me.role === "provider_admin";
  const organizationId = scope.organizationId;
  const organizationName = scope.organization?.name ?? "your organisation";

  let body;
  if (scope.isLoading) {
    body = (
      <Card>
        <Skeleton lines={4} />
      </Card>
    );
  } else if (!organizationId) {
    body = (
      <Card>
        {provider ? (
          <EmptyState title="No organisations yet" action={<Link to="/organizations">Create the first organisation</Link>}>
            Members belong to a client organisation. Create one, then add its administrator here.
          </EmptyState>
        ) : (
          <EmptyState title="Your organisation is not set up yet" action={<Link to="/connections">Open Connections</Link>}>
            Save the OpenRouter key your provider gave you under Connections: that links your account to your organisation.
          </EmptyState>
        )}
      </Card>
    );
  } else {
    // Keyed by organisation: switching it in the switcher starts the form and any shown password afresh.
    body = <MembersOf key={organizationId} organizationId={organizationId} organizationName={organizationName} />;
  }

  return (
    <>
      <PageHeader
        title="Members"
        description={
          organizationId ? (
            <>
              The people of <strong>{organizationName}</strong>
              {scope.organization && !scope.organization.active ? " (deactivated)" : ""}: who may use the gateway, and the external user id OpenRouter sees
              for each.{provider ? " Switch the organisation at the top." : ""}
            </>
          ) : undefined
        }
      />
      {scope.organization && !scope.organization.active ? (
        <Notice tone="warning">{organizationName} is deactivated: its members' chat requests are refused.</Notice>
      ) : null}
      {body}
    </>
  );
}
