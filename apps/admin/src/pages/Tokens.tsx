import { PageHeader } from "../components/Page";

export default function Tokens() {
  return <PageHeader title="Tokens" description="Coming soon." />;
}
