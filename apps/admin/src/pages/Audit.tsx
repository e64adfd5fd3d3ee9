import { PageHeader } from "../components/Page";

export default function Audit() {
  return <PageHeader title="Audit" description="Coming soon." />;
}
