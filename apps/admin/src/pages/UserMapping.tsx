import { PageHeader } from "../components/Page";

export default function UserMapping() {
  return <PageHeader title="UserMapping" description="Coming soon." />;
}
