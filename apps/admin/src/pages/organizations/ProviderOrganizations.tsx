// The provider's view: every client organisation in a sortable table, and the dialogs that manage
// them — create, edit, set a client key, rotate a provisioned key, deactivate.
import { useIsMutating, useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useState } from "react";
import { Trans, useTranslation } from "react-i18next";
import { Button } from "../../components/Button";
import { Dialog } from "../../components/Dialog";
import { EmptyState, ErrorNotice, Skeleton } from "../../components/Feedback";
import { Card, PageHeader } from "../../components/Page";
import { count } from "../../lib/format";
import { useOrgScope, type Organization } from "../../session";
import { trpc } from "../../trpc";
import { CreateOrganizationForm } from "./CreateOrganizationForm";
import { DeactivateDialog, useDeactivate } from "./Deactivate";
import { EditOrganizationForm } from "./EditOrganizationForm";
import { OrganizationsTable } from "./OrganizationsTable";
import { RotateKeyDialogs, useRotateKey } from "./RotateKey";
import { SetKeyForm } from "./SetKeyForm";
import { BillUnmeteredDialog, useBillUnmetered, useUnmeteredUsage, type UnmeteredUsage } from "./Unmetered";

export function ProviderOrganizations() {
  const { t } = useTranslation("organizations");
  const scope = useOrgScope();
  const list = useQuery(trpc.organizations.list.queryOptions());

  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<Organization | null>(null);
  const [settingKey, setSettingKey] = useState<Organization | null>(null);
  const [rotating, setRotating] = useState<Organization | null>(null);
  const [deactivating, setDeactivating] = useState<Organization | null>(null);

  // A dialog whose request is in flight stays open: a new key must not be lost by closing it early.
  const createBusy = useIsMutating({ mutationKey: trpc.organizations.create.mutationKey() }) > 0;
  const editBusy = useIsMutating({ mutationKey: trpc.organizations.update.mutationKey() }) > 0;
  const setKeyBusy = useIsMutating({ mutationKey: trpc.organizations.setKey.mutationKey() }) > 0;

  const rotate = useRotateKey(() => setRotating(null));
  const deactivate = useDeactivate(() => setDeactivating(null));
  const unmetered = useUnmeteredUsage();
  const [billing, setBilling] = useState<UnmeteredUsage | null>(null);
  const bill = useBillUnmetered(() => setBilling(null));

  const rows = list.data ?? [];
  const active = rows.filter((o) => o.active).length;
  const period = rows[0]?.period;

  return (
    <>
      <PageHeader
        title={t("title")}
        description={
          list.data && rows.length
            ? t("provider.summary", { count: rows.length, active: count(active), period })
            : t("provider.description")
        }
        actions={
          <Button variant="primary" onClick={() => setCreating(true)}>
            {t("provider.new")}
          </Button>
        }
      />
      <Card>
        {list.error ? <ErrorNotice error={list.error} onRetry={() => void list.refetch()} /> : null}
        {list.data ? (
          rows.length ? (
            <OrganizationsTable
              rows={rows}
              inScopeId={scope.organizationId}
              onSelect={(o) => scope.select(o.id)}
              onEdit={setEditing}
              onRotate={(o) => {
                rotate.reset();
                setRotating(o);
              }}
              onSetKey={setSettingKey}
              onDeactivate={(o) => {
                deactivate.reset();
                setDeactivating(o);
              }}
              unmetered={unmetered}
              onBillUnmetered={(u) => {
                bill.reset();
                setBilling(u);
              }}
            />
          ) : (
            <EmptyState title={t("provider.empty")}>
              <Trans t={t} i18nKey="provider.emptyBody" components={{ link: <Link to="/settings" /> }} />
            </EmptyState>
          )
        ) : list.isPending ? (
          <Skeleton lines={5} height="1.6rem" />
        ) : null}
      </Card>

      <Dialog open={creating} title={t("provider.new")} wide onClose={() => !createBusy && setCreating(false)}>
        <CreateOrganizationForm onDone={() => setCreating(false)} />
      </Dialog>

      <Dialog
        open={editing !== null}
        title={t("provider.editTitle", { name: editing?.name ?? "" })}
        wide
        onClose={() => !editBusy && setEditing(null)}
      >
        {editing ? (
          <EditOrganizationForm key={editing.id} organization={editing} onDone={() => setEditing(null)} />
        ) : null}
      </Dialog>

      <Dialog
        open={settingKey !== null}
        title={t("provider.setKeyTitle", { name: settingKey?.name ?? "" })}
        onClose={() => !setKeyBusy && setSettingKey(null)}
      >
        {settingKey ? (
          <SetKeyForm key={settingKey.id} organization={settingKey} onDone={() => setSettingKey(null)} />
        ) : null}
      </Dialog>

      <RotateKeyDialogs rotating={rotating} rotate={rotate} onClose={() => setRotating(null)} />

      <BillUnmeteredDialog billing={billing} bill={bill} onClose={() => setBilling(null)} />

      <DeactivateDialog
        deactivating={deactivating}
        deactivate={deactivate}
        onClose={() => setDeactivating(null)}
      />
    </>
  );
}
