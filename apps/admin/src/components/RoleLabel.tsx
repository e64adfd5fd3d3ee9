import { useTranslation } from "react-i18next";
import { LANGUAGES } from "../i18n";
import type { Role } from "../nav";

/** A role in words, in the reader's language ("Client administrator", "Administrator klienta"). */
export function RoleLabel({ role }: { role: Role }) {
  const { t } = useTranslation();
  return <>{t(`role.${role}`)}</>;
}

/**
 * The person's name to show beside their role, or null when there is none worth showing: a name
 * that is only the role in some language (the bootstrap administrator is named "Provider
 * administrator") would say the role twice.
 */
export function useNameBesideRole(person: { name: string | null; role: Role }): string | null {
  const { t } = useTranslation();
  if (!person.name) return null;
  return LANGUAGES.some((lng) => t(`role.${person.role}`, { lng }) === person.name) ? null : person.name;
}
