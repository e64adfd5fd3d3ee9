// Authorization is a procedure builder. Each builder checks who is asking once, before any service
// runs, and injects what it checked into ctx — so a service receives an already-authorized scope
// (an organisation, a tenant filter, whose usage) and never decides access itself.
//
//   publicProcedure         anyone
//   passwordChangeProcedure a dashboard session of either purpose (a password_change session,
//                           opened with a temporary password, reaches only this) → ctx.user
//   chatProcedure           what a chat client holds: a full session, a token of either scope
//                           (chat or manage), an operator's in-process call     → ctx.user, ctx.auth
//   authedProcedure         the dashboard: chatProcedure without chat tokens (a full session, a
//                           manage token, the operator)                         → ctx.user, ctx.auth
//   sessionProcedure        a full dashboard session only (no token)           → ctx.user
//   providerProcedure       the provider's administrators                      → ctx.user
//   providerOrgProcedure    the provider, on the organisation it names         → ctx.org
//   adminProcedure(action)  provider or client administrator                   → ctx.scope: TenantScope
//   tenantProcedure(noun)   the same, optionally naming one organisation       → ctx.scope: TenantScope
//   orgProcedure            one organisation: the provider names any, a client
//                           administrator gets their own                       → ctx.org
//   orgMemberProcedure      orgProcedure, members too (their own organisation)  → ctx.org
//   mappingProcedure        tenantProcedure with the named organisation loaded → ctx.scope: MappingScope
//   usageProcedure          one organisation's usage (chatProcedure): provider any (named), client
//                           administrator their own, member — and any chat token, whatever its
//                           owner's role — their own usage only                → ctx.scope: UsageScope
//   userUsageProcedure      usageProcedure, optionally narrowed to one userId (members: themselves)
//   .use(providerOnlyFields) after an input: fields of it only the provider may set
//   .use(fullSessionWhenNamed) after an input: a full dashboard session when the input names a field
//   internalProcedure       the proxy (X-Mai-Internal-Token, compared in constant time by context.ts)
//
// Refusals are DomainErrors like any other: the one error pipeline (./init.ts) maps them.
import { getOrganization, type AuthUser, type Organization } from "@mai/db";
import { DomainError, domainError, serverMessage, type ServerMessageKey } from "@mai/domain";
import { z } from "zod";
import type { AuthedContext, Context, MappingScope, TenantScope, UsageScope } from "../context";
import { middleware, procedure } from "./init";

interface TenantRule {
  /** What is being looked at, for messages ("usage", "audit log"…). */
  noun: string;
  /** The provider must name an organisation (otherwise naming none means every organisation). */
  providerMustChoose: boolean;
  /** Members pass, on their own organisation (otherwise they are refused). */
  allowMembers?: boolean;
}

/**
 * Which organisation a caller may look at — one rule for every organisation-scoped builder:
 *   provider_admin  any organisation it names; naming none means "every organisation" (undefined),
 *                   unless it must choose (BAD_REQUEST);
 *   org_admin       its own organisation only (naming another → FORBIDDEN; none yet → NOT_FOUND);
 *   member          refused (FORBIDDEN), unless allowed (then: its own organisation).
 */
/**
 * The refusals' keys in the message catalog by what is looked at (a noun not listed keeps its
 * English sentence): `admins` for a member, `own` for another organisation's.
 */
const NOUN_KEYS: Record<string, { admins?: ServerMessageKey; own: ServerMessageKey }> = {
  "unmetered usage": { admins: "access.adminsSeeUnmeteredUsage", own: "access.ownUnmeteredUsage" },
  "audit log": { admins: "access.adminsSeeAuditLog", own: "access.ownAuditLog" },
  "user mappings": { admins: "access.adminsSeeUserMappings", own: "access.ownUserMappings" },
  organisation: { admins: "access.adminsSeeOrganization", own: "access.ownOrganization" },
  usage: { own: "access.ownUsage" },
};

/** The same for adminProcedure's actions. */
const ACTION_KEYS: Record<string, ServerMessageKey> = {
  "list organisations": "access.adminsListOrganizations",
  "see this": "access.adminsSeeThis",
};

function tenantOf(user: Pick<AuthUser, "role" | "organizationId">, requested: string | undefined, rule: TenantRule): string | undefined {
  if (user.role === "provider_admin") {
    if (!requested && rule.providerMustChoose) throw domainError("INVALID_INPUT", "access.chooseOrganization");
    return requested;
  }
  if (user.role === "member" && !rule.allowMembers) {
    const key = NOUN_KEYS[rule.noun]?.admins;
    throw key ? domainError("FORBIDDEN", key) : new DomainError("FORBIDDEN", `Only administrators can see the ${rule.noun}.`);
  }
  if (!user.organizationId) throw domainError("NOT_FOUND", "access.noOrganization");
  if (requested && requested !== user.organizationId) {
    const key = NOUN_KEYS[rule.noun]?.own;
    throw key ? domainError("FORBIDDEN", key) : new DomainError("FORBIDDEN", `You can only see your own organisation's ${rule.noun}.`);
  }
  return user.organizationId;
}

async function loadOrganization(ctx: AuthedContext, organizationId: string): Promise<Organization> {
  const org = await getOrganization(ctx.deps.db, organizationId);
  if (!org) throw domainError("NOT_FOUND", "organization.notFound");
  return org;
}

const organizationId = z.uuid();
/** An optional organisation id, in an input that may itself be omitted. */
const maybeOrganization = z.object({ organizationId: organizationId.optional() }).optional();

export const publicProcedure = procedure;

/** What a chat token is told when it reaches for the dashboard. */
export const CHAT_TOKEN_REFUSAL = serverMessage("auth.chatToken");

/**
 * A chat credential: a chat token, or an Open WebUI session (which the server admits only to the
 * two Open WebUI settings calls, services/openwebui): the proxy, its owner's own settings and
 * usage, auth.me — nothing else, whichever door it reaches.
 */
const isChatToken = (auth: Context["auth"]) => (auth?.kind === "token" && auth.scope === "chat") || auth?.kind === "openwebui";

/**
 * What a chat client may hold: a full dashboard session, a personal token of either scope, or the
 * operator's in-process call. A password_change session is sent to choose its password first.
 */
export const chatProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user || !ctx.auth) throw domainError("UNAUTHENTICATED", "auth.signInFirst");
  if (ctx.auth.kind === "session" && ctx.auth.purpose === "password_change") {
    throw domainError("FORBIDDEN", "auth.newPasswordFirst");
  }
  return next({ ctx: { user: ctx.user, auth: ctx.auth } });
});

/** The dashboard: a full session, a manage token or the operator; a chat token is refused in words. */
export const authedProcedure = chatProcedure.use(({ ctx, next }) => {
  if (isChatToken(ctx.auth)) throw domainError("FORBIDDEN", "auth.chatToken");
  return next();
});

/** The refusal of what only a dashboard session may do, to a token or the operator. */
const sessionOnly = (auth: Context["auth"]) =>
  domainError("FORBIDDEN", auth?.kind === "token" ? "auth.sessionOnlyNotToken" : "auth.sessionOnly");

/** Any dashboard session, a password_change one too (auth.changePassword): never a token. */
export const passwordChangeProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user) throw domainError("UNAUTHENTICATED", "auth.signInFirst");
  if (ctx.auth?.kind !== "session") throw sessionOnly(ctx.auth);
  return next({ ctx: { user: ctx.user, auth: ctx.auth } });
});

/** A full dashboard session only: what a token must never do (mint a token, sign out everywhere). */
export const sessionProcedure = authedProcedure.use(({ ctx, next }) => {
  if (ctx.auth.kind !== "session") throw sessionOnly(ctx.auth);
  return next({ ctx: { auth: ctx.auth } });
});

export const providerProcedure = authedProcedure.use(({ ctx, next }) => {
  if (ctx.user.role !== "provider_admin") {
    throw domainError("FORBIDDEN", "auth.providerOnly");
  }
  return next();
});

/** Provider-only actions on one named organisation, loaded once into ctx.org. */
export const providerOrgProcedure = providerProcedure
  .input(z.object({ organizationId }))
  .use(async ({ ctx, input, next }) => next({ ctx: { org: await loadOrganization(ctx, input.organizationId) } }));

/**
 * Administrators only (`Only administrators can <action>.` to members). ctx.scope: every
 * organisation for the provider, a client administrator's own (null before they have one).
 */
export function adminProcedure(action: string) {
  return authedProcedure.use(({ ctx, next }) => {
    const { user } = ctx;
    if (user.role === "member") {
      const key = ACTION_KEYS[action];
      throw key ? domainError("FORBIDDEN", key) : new DomainError("FORBIDDEN", `Only administrators can ${action}.`);
    }
    const scope: TenantScope =
      user.role === "provider_admin" ? { all: true } : { all: false, organizationId: user.organizationId };
    return next({ ctx: { scope } });
  });
}

/**
 * Administrators, looking at every organisation (the provider naming none) or one (named by the
 * provider; a client administrator's own). ctx.scope is a TenantScope that never holds null.
 */
export function tenantProcedure(noun: string) {
  return authedProcedure.input(maybeOrganization).use(({ ctx, input, next }) => {
    const id = tenantOf(ctx.user, input?.organizationId, { noun, providerMustChoose: false });
    const scope: TenantScope = id ? { all: false, organizationId: id } : { all: true };
    return next({ ctx: { scope } });
  });
}

/**
 * An organisation-scoped procedure for administrators: the provider must name the organisation;
 * a client administrator gets their own (and may omit the id). Members are refused. The
 * organisation is loaded once and injected as ctx.org.
 */
export const orgProcedure = authedProcedure
  .input(z.object({ organizationId: organizationId.optional() }))
  .use(async ({ ctx, input, next }) => {
    const id = tenantOf(ctx.user, input.organizationId, { noun: "organisation", providerMustChoose: true })!;
    return next({ ctx: { org: await loadOrganization(ctx, id) } });
  });

/**
 * orgProcedure that also admits members, on their own organisation: what the organisation's
 * people may all read in the dashboard (alerts.list — the limit alerts that explain a refusal).
 */
export const orgMemberProcedure = authedProcedure
  .input(maybeOrganization)
  .use(async ({ ctx, input, next }) => {
    const id = tenantOf(ctx.user, input?.organizationId, { noun: "organisation", providerMustChoose: true, allowMembers: true })!;
    return next({ ctx: { org: await loadOrganization(ctx, id) } });
  });

/** User mappings: the provider's whole system or one organisation, a client administrator's own. */
export const mappingProcedure = tenantProcedure("user mappings").use(async ({ ctx, next }) => {
  const { scope: tenant, user } = ctx;
  const scope: MappingScope =
    tenant.all || !tenant.organizationId
      ? { organization: null, provider: true }
      : { organization: await loadOrganization(ctx, tenant.organizationId), provider: user.role === "provider_admin" };
  return next({ ctx: { scope } });
});

/**
 * Who may see which usage — decided once, here, for every usage.* procedure:
 *   provider_admin  any organisation, named by organizationId (required);
 *   org_admin       their own organisation only (another id → FORBIDDEN);
 *   member          only their own usage: their organisation, filtered to their own user id;
 *   a chat token    as a member, whatever its owner's role (a token in a browser shows no one else's usage).
 * The scope is what every query filters on in SQL; nothing downstream re-decides it.
 */
export const usageProcedure = chatProcedure.input(maybeOrganization).use(async ({ ctx, input, next }) => {
  const { user } = ctx;
  // A chat token sees its owner's own usage, as a member would, whatever the owner's role.
  const ownUsageOnly = user.role === "member" || isChatToken(ctx.auth);
  const asWhom = ownUsageOnly ? { role: "member" as const, organizationId: user.organizationId } : user;
  const id = tenantOf(asWhom, input?.organizationId, { noun: "usage", providerMustChoose: true, allowMembers: true })!;
  const scope: UsageScope = {
    organization: await loadOrganization(ctx, id),
    userId: ownUsageOnly ? user.id : null,
    ownUsageOnly,
  };
  return next({ ctx: { scope } });
});

/** usageProcedure narrowed to one user on request; a member may name only themselves (else FORBIDDEN). */
export const userUsageProcedure = usageProcedure
  .input(z.object({ userId: z.uuid().optional() }).optional())
  .use(({ ctx, input, next }) => {
    const requested = input?.userId;
    if (ctx.scope.ownUsageOnly) {
      if (requested && requested !== ctx.user.id) throw domainError("FORBIDDEN", "access.ownUsageOnly");
      return next();
    }
    return next({ ctx: { scope: { ...ctx.scope, userId: requested ?? null } } });
  });

/**
 * Used after `.input()`: the fields of the input only the provider may set. Anyone else naming one
 * (with a value) is refused, and told what they may change (`theirs`).
 */
export function providerOnlyFields(fields: readonly string[], theirs: string) {
  return middleware(({ ctx, input, next }) => {
    if (ctx.user?.role === "provider_admin") return next();
    const given = (input ?? {}) as Record<string, unknown>;
    const denied = fields.filter((field) => given[field] !== undefined);
    if (denied.length > 0) {
      throw new DomainError("FORBIDDEN", `Only the provider can change ${denied.join(", ")}; you can change ${theirs}.`);
    }
    return next();
  });
}

/**
 * Used after `.input()` on a public procedure: when the input names `field` (with a value), the
 * caller must be signed in with a full dashboard session — auth.acceptInvitation by invitation id,
 * where the session says who accepts; with a code it stays public.
 */
export function fullSessionWhenNamed(field: string) {
  return middleware(({ ctx, input, next }) => {
    const given = (input ?? {}) as Record<string, unknown>;
    if (given[field] === undefined) return next();
    if (!ctx.user || !ctx.auth) throw domainError("UNAUTHENTICATED", "auth.signInFirst");
    if (ctx.auth.kind !== "session") throw domainError("FORBIDDEN", "auth.sessionOnly");
    if (ctx.auth.purpose === "password_change") throw domainError("FORBIDDEN", "auth.newPasswordFirst");
    return next();
  });
}

export const internalProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.internal) throw new DomainError("UNAUTHENTICATED", "Internal procedures need the internal token.");
  return next();
});
