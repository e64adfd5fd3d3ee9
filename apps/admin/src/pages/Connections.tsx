import { PageHeader } from "../components/Page";

export default function Connections() {
  return <PageHeader title="Connections" description="Coming soon." />;
}
