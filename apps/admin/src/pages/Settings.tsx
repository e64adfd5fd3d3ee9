import { PageHeader } from "../components/Page";

export default function Settings() {
  return <PageHeader title="Settings" description="Coming soon." />;
}
