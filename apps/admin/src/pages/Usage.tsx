import { PageHeader } from "../components/Page";

export default function Usage() {
  return <PageHeader title="Usage" description="Coming soon." />;
}
