import { PageHeader } from "../components/Page";

export default function Organizations() {
  return <PageHeader title="Organizations" description="Coming soon." />;
}
