// Client organisations. The provider sees all of them in a sortable table and manages them: create
// (a dedicated OpenRouter key is minted and shown once, or the client's own key is attached), edit,
// rotate a provisioned key (shown once), set a client key, deactivate (the upstream key is disabled
// too). A client administrator sees their own organisation and may change only its billing e-mail.
// Money is bigint nano-USD throughout: typed amounts are checked with the domain's exact decimal
// parsers and sent as text (checks.ts); figures are formatted only by lib/format.
import { useMe } from "../../session";
import { ClientOrganization } from "./ClientOrganization";
import { ProviderOrganizations } from "./ProviderOrganizations";

export default function Organizations() {
  const me = useMe();
  return me.role === "provider_admin" ? <ProviderOrganizations /> : <ClientOrganization />;
}
