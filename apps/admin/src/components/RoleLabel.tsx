import { useTranslation } from "react-i18next";
import type { Role } from "../nav";

/** A role in words, in the reader's language ("Client administrator", "Administrator klienta"). */
export function RoleLabel({ role }: { role: Role }) {
  const { t } = useTranslation();
  return <>{t(`role.${role}`)}</>;
}
