// Checks every mapping the caller may see: the external id sent to OpenRouter as `user` must have
// the documented format, be the one derived from (organisation, user) — anything else would
// attribute usage to the wrong person — and be unique; the organisation must be active. In the
// provider's all-organisations view, client users without any mapping are listed too (the proxy
// refuses them). Users with problems come first.
import { reportMappedUsers, reportUnmappedUsers, type MappedUserRow } from "@mai/db";
import { externalUserId, isValidExternalUserId, serverMessage, type Role, type ServerMessageKey, type ServerMessageParams } from "@mai/domain";
import type { Context, MappingScope } from "../../context";

export const MAPPING_PROBLEM_CODES = [
  "invalid_format",
  "mismatch",
  "duplicate",
  "inactive_organization",
  "unmapped",
] as const;
type MappingProblemCode = (typeof MAPPING_PROBLEM_CODES)[number];

interface MappingProblem {
  code: MappingProblemCode;
  userId: string;
  email: string;
  organizationId: string | null;
  externalUserId: string | null;
  expectedExternalUserId: string | null;
  message: string;
  /** The message's key in the catalog (@mai/domain SERVER_MESSAGES) and its parameters, for a translating client. */
  messageKey: ServerMessageKey;
  messageParams: ServerMessageParams;
}

/** A catalog message as a problem's words: its English, its key and its parameters. */
function said(key: ServerMessageKey, params: ServerMessageParams = {}): Pick<MappingProblem, "message" | "messageKey" | "messageParams"> {
  return { message: serverMessage(key, params), messageKey: key, messageParams: params };
}

interface MappingReportUser {
  userId: string;
  email: string;
  name: string;
  role: Role;
  disabled: boolean;
  organizationId: string | null;
  organizationName: string | null;
  organizationActive: boolean | null;
  externalUserId: string | null;
  expectedExternalUserId: string | null;
  ok: boolean;
  problems: MappingProblemCode[];
}

/** The problems of one mapping; pure, so the rules read in one place. */
export function mappingProblems(
  row: MappedUserRow,
  holders: number,
): Omit<MappingProblem, "userId" | "email">[] {
  const expected = externalUserId(row.organizationId, row.userId);
  const base = {
    organizationId: row.organizationId,
    externalUserId: row.externalUserId,
    expectedExternalUserId: expected,
  };
  const out: Omit<MappingProblem, "userId" | "email">[] = [];
  if (!isValidExternalUserId(row.externalUserId)) {
    out.push({
      ...base,
      code: "invalid_format",
      ...said("mapping.invalidFormat", { expected }),
    });
  } else if (row.externalUserId !== expected) {
    out.push({
      ...base,
      code: "mismatch",
      ...said("mapping.mismatch", { expected }),
    });
  }
  if (holders > 1) {
    out.push({
      ...base,
      code: "duplicate",
      ...said("mapping.duplicate", { count: holders }),
    });
  }
  if (!row.organizationActive) {
    out.push({
      ...base,
      code: "inactive_organization",
      ...said("mapping.inactiveOrganization", { organization: row.organizationName }),
    });
  }
  return out;
}

/** `scope` is decided by mappingProcedure. */
export async function validateMappings(ctx: Context, scope: MappingScope) {
  const db = ctx.deps.db;
  const mapped = await reportMappedUsers(db, { organizationId: scope.organization?.id ?? null });
  const unmapped = scope.provider && !scope.organization ? await reportUnmappedUsers(db) : [];

  // The database counts holders across every organisation; counting the rows in hand as well
  // keeps the check meaningful even if that count were ever unavailable.
  const seen = new Map<string, number>();
  for (const r of mapped) seen.set(r.externalUserId, (seen.get(r.externalUserId) ?? 0) + 1);

  const problems: MappingProblem[] = [];
  const users: MappingReportUser[] = [];
  for (const r of mapped) {
    const found = mappingProblems(r, Math.max(r.externalIdHolders, seen.get(r.externalUserId) ?? 0)).map(
      (p) => ({
        ...p,
        userId: r.userId,
        email: r.email,
      }),
    );
    problems.push(...found);
    users.push({
      userId: r.userId,
      email: r.email,
      name: r.name,
      role: r.role,
      disabled: r.disabled,
      organizationId: r.organizationId,
      organizationName: r.organizationName,
      organizationActive: r.organizationActive,
      externalUserId: r.externalUserId,
      expectedExternalUserId: externalUserId(r.organizationId, r.userId),
      ok: found.length === 0,
      problems: found.map((p) => p.code),
    });
  }
  for (const u of unmapped) {
    problems.push({
      code: "unmapped",
      userId: u.userId,
      email: u.email,
      organizationId: null,
      externalUserId: null,
      expectedExternalUserId: null,
      ...said("mapping.unmapped"),
    });
    users.push({
      ...u,
      disabled: false,
      organizationId: null,
      organizationName: null,
      organizationActive: null,
      externalUserId: null,
      expectedExternalUserId: null,
      ok: false,
      problems: ["unmapped"],
    });
  }
  // Problems first; the rest keeps the query's order (organisation, then e-mail).
  const ordered = [...users.filter((u) => !u.ok), ...users.filter((u) => u.ok)];
  const byCode = Object.fromEntries(
    MAPPING_PROBLEM_CODES.map((c) => [c, problems.filter((p) => p.code === c).length]),
  ) as Record<MappingProblemCode, number>;
  return {
    ok: problems.length === 0,
    organizationId: scope.organization?.id ?? null,
    counts: {
      users: users.length,
      mappedUsers: mapped.length,
      unmappedUsers: unmapped.length,
      usersWithProblems: ordered.filter((u) => !u.ok).length,
      problems: problems.length,
      byCode,
    },
    problems,
    users: ordered,
  };
}
