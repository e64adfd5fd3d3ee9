import { PageHeader } from "../components/Page";

export default function Members() {
  return <PageHeader title="Members" description="Coming soon." />;
}
