// The audit log: who changed what, newest first, keyset-paginated by the API ("Load more"). Filter
// by action, exactly or by a prefix ending in "*" (org_sync.*); the provider looks at the
// organisation in scope or at every organisation (entries of none, such as global settings, only
// show there). A client administrator sees their own organisation's entries; members never get
// here (the route refuses them, and so does the API). The filters live in the URL (?action&orgs=all).
import { MAX_AUDIT_ACTION_LENGTH } from "@mai/domain/schemas";
import { useInfiniteQuery } from "@tanstack/react-query";
import { getRouteApi, Link, useNavigate } from "@tanstack/react-router";
import { Fragment, useCallback, useId, useMemo, useState, type FormEvent } from "react";
import { Trans, useTranslation } from "react-i18next";
import { Button } from "../components/Button";
import { TableRegion } from "../components/DataTable";
import { EmptyState, ErrorNotice, Skeleton } from "../components/Feedback";
import { SelectField, TextField } from "../components/Field";
import { Card, PageHeader } from "../components/Page";
import { dateTime } from "../lib/format";
import { useMe, useOrgScope, type Organization, type RouterOutputs } from "../session";
import { trpc } from "../trpc";

type AuditEntry = RouterOutputs["audit"]["list"]["items"][number];

const PAGE_SIZE = 50;

// ---------------------------------------------------------------------------------------------
// Filters in the URL, parsed by the route with @mai/domain's auditSearch (audit.list's own bound on
// the action); anything malformed is dropped.

const route = getRouteApi("/app/audit");

function useAuditFilters() {
  const { action, orgs } = route.useSearch();
  const navigate = useNavigate();
  // all: provider only, every organisation instead of the one in scope.
  const filters = { action, all: orgs === "all" };
  const update = useCallback(
    (patch: { action?: string | undefined; all?: boolean }) =>
      void navigate({
        to: ".",
        replace: true,
        search: (prev: Record<string, unknown>) => {
          const next: Record<string, unknown> = { ...prev };
          if ("action" in patch) next.action = patch.action || undefined;
          if ("all" in patch) next.orgs = patch.all ? "all" : undefined;
          for (const key of ["action", "orgs"]) if (next[key] === undefined) delete next[key];
          return next;
        },
      }),
    [navigate],
  );
  return [filters, update] as const;
}

// ---------------------------------------------------------------------------------------------
// Cells.

/** A long id (a UUID) shortened to its first characters; the whole id on hover. */
function ShortId({ id }: { id: string }) {
  const short = id.length > 12 ? `${id.slice(0, 8)}…` : id;
  return (
    <code className="audit-id" title={id}>
      {short}
    </code>
  );
}

const compact = (value: unknown) => JSON.stringify(value) ?? "null";

const ACTOR_KINDS = ["user", "system", "proxy", "cli"] as const;
const isActorKind = (kind: string): kind is (typeof ACTOR_KINDS)[number] => (ACTOR_KINDS as readonly string[]).includes(kind);

function Details({ entry }: { entry: AuditEntry }) {
  const { t } = useTranslation("audit");
  const parts: ["details" | "before" | "after", Record<string, unknown>][] = [];
  if (entry.details) parts.push(["details", entry.details]);
  if (entry.before) parts.push(["before", entry.before]);
  if (entry.after) parts.push(["after", entry.after]);
  if (!parts.length) return <span className="muted">—</span>;
  const first = compact(parts[0]![1]);
  const preview = first.length > 48 ? `${first.slice(0, 47)}…` : first;
  return (
    <details className="audit-details">
      <summary>
        <code>{preview}</code>
      </summary>
      <dl>
        {parts.map(([label, value]) => (
          <Fragment key={label}>
            <dt>{t(`details.${label}`)}</dt>
            <dd>
              <pre>{compact(value)}</pre>
            </dd>
          </Fragment>
        ))}
      </dl>
    </details>
  );
}

function AuditTable({
  items,
  meId,
  organizations,
  showOrganization,
}: {
  items: readonly AuditEntry[];
  meId: string;
  organizations: ReadonlyMap<string, Organization>;
  showOrganization: boolean;
}) {
  const { t } = useTranslation("audit");
  return (
    <TableRegion label={t("table.label")}>
      <table className="audit-table">
        <caption className="visually-hidden">{t("table.label")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("table.time")}</th>
            <th scope="col">{t("table.action")}</th>
            <th scope="col">{t("table.actor")}</th>
            {showOrganization ? <th scope="col">{t("table.organization")}</th> : null}
            <th scope="col">{t("table.target")}</th>
            <th scope="col">{t("table.details")}</th>
            <th scope="col">{t("table.ip")}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((e) => (
            <tr key={e.id}>
              <td className="nowrap">
                <time dateTime={e.createdAt.toISOString()}>{dateTime(e.createdAt)}</time>
              </td>
              <td>
                <code className="nowrap">{e.action}</code>
              </td>
              <td className="nowrap">
                {isActorKind(e.actorKind) ? t(`actor.${e.actorKind}`) : e.actorKind}
                {e.actorUserId ? (
                  <div>
                    <ShortId id={e.actorUserId} />
                    {e.actorUserId === meId ? <span className="muted">{t("table.you")}</span> : null}
                  </div>
                ) : null}
              </td>
              {showOrganization ? (
                <td>
                  {e.organizationId ? (
                    (organizations.get(e.organizationId)?.name ?? <ShortId id={e.organizationId} />)
                  ) : (
                    <span className="muted">{t("table.none")}</span>
                  )}
                </td>
              ) : null}
              <td className="nowrap">
                {e.targetType ?? (e.targetId ? null : <span className="muted">—</span>)}
                {e.targetId ? (
                  <div>
                    <ShortId id={e.targetId} />
                  </div>
                ) : null}
              </td>
              <td>
                <Details entry={e} />
              </td>
              <td className="nowrap">{e.ip ? <code>{e.ip}</code> : <span className="muted">—</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableRegion>
  );
}

// ---------------------------------------------------------------------------------------------
// The action filter: applied on submit (Enter or the button), not on every keystroke.

function ActionFilter({
  value,
  suggestions,
  onApply,
}: {
  value: string | undefined;
  suggestions: readonly string[];
  onApply: (action: string | undefined) => void;
}) {
  const { t } = useTranslation("audit");
  const listId = useId();
  const [draft, setDraft] = useState(value ?? "");
  const [error, setError] = useState<string | null>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const action = draft.trim();
    if (action.length > MAX_AUDIT_ACTION_LENGTH) {
      setError(t("filter.tooLong", { max: MAX_AUDIT_ACTION_LENGTH }));
      return;
    }
    setError(null);
    onApply(action || undefined);
  };
  return (
    <form
      className="audit-action-filter"
      role="search"
      aria-label={t("filter.label")}
      onSubmit={submit}
      noValidate
    >
      <TextField
        label={t("filter.action")}
        list={listId}
        value={draft}
        error={error}
        placeholder="org_sync.*"
        autoComplete="off"
        spellCheck={false}
        hint={<Trans t={t} i18nKey="filter.hint" components={{ code: <code /> }} />}
        onChange={(e) => setDraft(e.target.value)}
      />
      <datalist id={listId}>
        {suggestions.map((s) => (
          <option key={s} value={s} />
        ))}
      </datalist>
      <div className="audit-filter-buttons">
        <Button type="submit">{t("filter.apply")}</Button>
        {value ? (
          <Button
            variant="ghost"
            onClick={() => {
              setDraft("");
              setError(null);
              onApply(undefined);
            }}
          >
            {t("filter.clear")}
          </Button>
        ) : null}
      </div>
    </form>
  );
}

// ---------------------------------------------------------------------------------------------
// The page.

export default function Audit() {
  const { t } = useTranslation("audit");
  const me = useMe();
  const scope = useOrgScope();
  const provider = me.role === "provider_admin";
  const [filters, update] = useAuditFilters();

  // The provider: the organisation in scope, or everything (also when there is no organisation yet).
  const all = provider && (filters.all || (!scope.isLoading && !scope.organizationId));
  const organizationId = provider && !all ? scope.organizationId : undefined;
  const ready = provider ? !scope.isLoading : Boolean(me.organizationId);
  const input = { organizationId, action: filters.action, limit: PAGE_SIZE };
  const entries = useInfiniteQuery({
    ...trpc.audit.list.infiniteQueryOptions(input, { getNextPageParam: (last) => last.nextCursor }),
    enabled: ready,
  });
  const items = useMemo(() => entries.data?.pages.flatMap((p) => p.items) ?? [], [entries.data]);
  const organizations = useMemo(
    () => new Map(scope.organizations.map((o) => [o.id, o])),
    [scope.organizations],
  );

  // Suggestions for the action field: the actions on screen, and their prefixes.
  const suggestions = useMemo(() => {
    const set = new Set<string>();
    for (const e of items) {
      const dot = e.action.indexOf(".");
      if (dot > 0) set.add(`${e.action.slice(0, dot)}.*`);
      set.add(e.action);
    }
    return [...set].sort();
  }, [items]);

  if (!provider && !me.organizationId) {
    return (
      <>
        <PageHeader title={t("title")} />
        <Card>
          <EmptyState title={t("notLinked.title")} action={<Link to="/connections">{t("notLinked.action")}</Link>}>
            {t("notLinked.text")}
          </EmptyState>
        </Card>
      </>
    );
  }

  const scopeOptions = [
    ...(scope.organization ? [{ value: "scope", label: t("scope.inScope", { name: scope.organization.name }) }] : []),
    { value: "all", label: t("scope.all") },
  ];
  const description = provider
    ? all
      ? t("descriptionAll")
      : t("descriptionScope", { name: scope.organization?.name ?? t("organizationInScope") })
    : t("descriptionClient", { name: scope.organization?.name ?? t("yourOrganization") });

  return (
    <>
      <PageHeader title={t("title")} description={description} />
      <Card>
        <div className="filters audit-filters">
          {provider ? (
            <SelectField
              label={t("scope.label")}
              value={all ? "all" : "scope"}
              options={scopeOptions}
              disabled={scope.isLoading}
              hint={t("scope.hint")}
              onChange={(e) => update({ all: e.target.value === "all" })}
            />
          ) : null}
          <ActionFilter
            key={filters.action ?? ""}
            value={filters.action}
            suggestions={suggestions}
            onApply={(action) => update({ action })}
          />
        </div>

        {entries.error && !entries.isFetchNextPageError ? (
          <ErrorNotice error={entries.error} onRetry={() => void entries.refetch()} />
        ) : null}
        {entries.data ? (
          items.length ? (
            <>
              <AuditTable items={items} meId={me.id} organizations={organizations} showOrganization={all} />
              {entries.isFetchNextPageError ? (
                <ErrorNotice
                  title={t("pager.loadError")}
                  error={entries.error}
                  onRetry={() => void entries.fetchNextPage()}
                />
              ) : null}
              <div className="pager">
                <span className="muted" role="status">
                  {t("pager.shown", { count: items.length })}
                  {entries.hasNextPage ? "" : t("pager.thatIsAll")}
                </span>
                {entries.hasNextPage ? (
                  <Button busy={entries.isFetchingNextPage} onClick={() => void entries.fetchNextPage()}>
                    {t("pager.loadMore")}
                  </Button>
                ) : null}
              </div>
            </>
          ) : filters.action ? (
            <EmptyState
              title={t("empty.noMatch", { action: filters.action })}
              action={
                <Button onClick={() => update({ action: undefined })} variant="secondary">
                  {t("empty.showAll")}
                </Button>
              }
            >
              <Trans
                t={t}
                i18nKey="empty.noMatchText"
                values={{ example: `${filters.action.replace(/\*$/, "").split(".")[0]}.*` }}
                components={{ code: <code /> }}
              />
            </EmptyState>
          ) : (
            <EmptyState title={t("empty.title")}>{t("empty.text")}</EmptyState>
          )
        ) : entries.isPending && !entries.error ? (
          <Skeleton lines={6} />
        ) : null}
      </Card>
    </>
  );
}
