// The chat client's settings save, then the automatic org sync. The save always wins: a sync that
// fails is logged, audited and reported in `openrouterSync`, and saving again retries it.
import {
  appendAudit,
  getLastSettingsSync,
  getUserSettings,
  recordSettingsSync,
  saveUserSettings,
  SecretContext,
  syncOrganizationForUser,
  type LastSettingsSync,
} from "@mai/db";
import {
  findOpenRouterConnection,
  isServerMessageKey,
  maskKey,
  restoreMaskedKeys,
  serverMessage,
  serverMessageMatch,
  type OpenRouterKey,
  type ServerMessageKey,
  type ServerMessageParams,
  type SettingsUpdate,
} from "@mai/domain";
import type { SettingsChannel, SettingsSyncStatus } from "@mai/domain/schemas";
import { OpenRouterError } from "@mai/openrouter";
import type { AuthUser } from "@mai/db";
import type { Context } from "../../context";
import { retirementDueAt } from "../organizations/retire-keys";

export type SyncStatus = SettingsSyncStatus;
export interface OpenRouterSync {
  status: SyncStatus;
  organizationId?: string;
  message: string;
  /** The message's key in the catalog (@mai/domain SERVER_MESSAGES) and its parameters, for a translating client. */
  messageKey?: ServerMessageKey;
  messageParams?: ServerMessageParams;
}

/** A catalog message as a sync outcome's words: its English, its key and its parameters. */
function said(key: ServerMessageKey, params: ServerMessageParams = {}): Pick<OpenRouterSync, "message" | "messageKey" | "messageParams"> {
  return { message: serverMessage(key, params), messageKey: key, messageParams: params };
}

type Ui = SettingsUpdate["ui"];

function storedKeys(ctx: Context, ui: Ui | undefined): string[] {
  const sealed = ui?.directConnections?.OPENAI_API_KEYS ?? [];
  return sealed.map((value) => (value ? ctx.deps.secrets.open(value, SecretContext.settingsKey) : ""));
}

function withKeys(ui: Ui, keys: (k: string) => string): Ui {
  if (!ui.directConnections) return ui;
  return { ...ui, directConnections: { ...ui.directConnections, OPENAI_API_KEYS: ui.directConnections.OPENAI_API_KEYS.map(keys) } };
}

/** Settings as a client may see them: every key masked. */
export async function readSettings(ctx: Context, user: AuthUser): Promise<{ ui: Ui }> {
  const stored = (await getUserSettings(ctx.deps.db, user.id)) as { ui?: Ui };
  const ui = stored.ui ?? {};
  const plain = storedKeys(ctx, ui);
  let i = 0;
  return { ui: withKeys(ui, () => { const key = plain[i++] ?? ""; return key ? maskKey(key) : ""; }) };
}

export async function updateSettings(
  ctx: Context,
  user: AuthUser,
  body: SettingsUpdate,
): Promise<{ settings: { ui: Ui }; openrouterSync: OpenRouterSync }> {
  const { deps } = ctx;
  const previous = (await getUserSettings(deps.db, user.id)) as { ui?: Ui };
  const incoming: Ui = body.ui;
  const dc = incoming.directConnections;
  // Masks sent back by a client that re-saves what it read keep the stored keys.
  const plainKeys = dc ? restoreMaskedKeys(dc.OPENAI_API_KEYS.map((k) => k.trim()), storedKeys(ctx, previous.ui)) : [];
  const plainUi: Ui = dc ? { ...incoming, directConnections: { ...dc, OPENAI_API_KEYS: plainKeys } } : incoming;

  let k = 0;
  const sealedUi = withKeys(plainUi, () => {
    const key = plainKeys[k++] ?? "";
    return key ? deps.secrets.seal(key, SecretContext.settingsKey) : "";
  });
  const savedAt = deps.now();
  await saveUserSettings(deps.db, user.id, { ui: sealedUi }, savedAt);

  const connection = findOpenRouterConnection(plainUi.directConnections, { extraHosts: deps.env.MAI_OPENROUTER_EXTRA_HOSTS });
  const openrouterSync = await syncFromSettings(ctx, user, connection);
  await recordOutcome(ctx, user, savedAt, openrouterSync, connection ? maskKey(connection.key) : null);
  return { settings: await readSettings(ctx, user), openrouterSync };
}

/** Through which door this save came (settings.lastSync says "via Open WebUI / this page / a token"). */
function channelOf(ctx: Context): SettingsChannel {
  switch (ctx.auth?.kind) {
    case "openwebui":
      return "openwebui";
    case "token":
      return "token";
    case "operator":
      return "cli";
    case "session":
    case undefined:
      return "dashboard";
  }
}

/**
 * Keeps the save's outcome beside its settings, for settings.lastSync: a save mirrored from Open
 * WebUI is answered by Open WebUI, so the dashboard is where its administrator reads it. Like the
 * sync's audit entry, failing to record it never fails the save (the row then says "not recorded").
 */
async function recordOutcome(ctx: Context, user: AuthUser, savedAt: Date, sync: OpenRouterSync, keyHint: string | null): Promise<void> {
  try {
    await recordSettingsSync(ctx.deps.db, user.id, savedAt, {
      status: sync.status,
      message: sync.message,
      messageKey: sync.messageKey ?? null,
      messageParams: sync.messageParams ?? null,
      at: ctx.deps.now(),
      organizationId: sync.organizationId ?? null,
      channel: channelOf(ctx),
      keyHint,
    });
  } catch (error) {
    ctx.log.error({ userId: user.id, err: { name: (error as Error).name, code: (error as { code?: unknown }).code } }, "sync outcome not recorded");
  }
}

type LastSyncOutcome = Omit<NonNullable<LastSettingsSync["sync"]>, "messageKey" | "messageParams"> &
  Partial<Pick<OpenRouterSync, "messageKey" | "messageParams">>;

/**
 * The caller's own last save and its sync outcome (settings.lastSync): its English, and the
 * catalog key and parameters it was recorded with.
 */
export async function readLastSync(ctx: Context, user: AuthUser): Promise<{ savedAt: Date | null; sync: LastSyncOutcome | null }> {
  const last = await getLastSettingsSync(ctx.deps.db, user.id);
  if (!last.sync) return { savedAt: last.savedAt, sync: null };
  const { messageKey, messageParams, ...sync } = last.sync;
  // A key this API's catalog still has; one it no longer knows is left out (the English stands).
  if (messageKey !== null && isServerMessageKey(messageKey)) {
    return { savedAt: last.savedAt, sync: { ...sync, messageKey, messageParams: messageParams ?? {} } };
  }
  // Outcomes recorded before migration 0018 have only their English: a sentence of the catalog's
  // sync messages is recognised and given its key and parameters back (parameters as strings).
  // Kept while such rows may exist: the next save of each user replaces its row's outcome.
  const known = messageKey === null ? serverMessageMatch(sync.message, "sync") : null;
  return { savedAt: last.savedAt, sync: known ? { ...sync, messageKey: known.key, messageParams: known.params } : sync };
}

/**
 * Whether OpenRouter refuses `key` for chat (checked live with GET /key when MAI_VERIFY_KEYS is on):
 * a management key, or a key it rejects (401/403), in words; null otherwise — also when OpenRouter
 * cannot be reached, since verification is a courtesy. A network call: never inside a transaction.
 * The settings save's sync and auth.signUpWithKey check a key with it before the database part.
 */
export async function chatKeyProblem(
  ctx: Context,
  key: OpenRouterKey,
): Promise<{ message: string; messageKey: ServerMessageKey; messageParams: ServerMessageParams; details: Record<string, unknown> } | null> {
  const { deps } = ctx;
  if (!deps.env.MAI_VERIFY_KEYS) return null;
  try {
    const info = await deps.openrouter.getKeyInfo(key, { timeoutMs: Math.min(deps.env.MAI_OPENROUTER_TIMEOUT_MS, 3_000) });
    if (info.is_management_key) return { message: serverMessage("sync.managementKey"), messageKey: "sync.managementKey", messageParams: {}, details: {} };
  } catch (error) {
    // A rejected key blocks the sync; an unreachable OpenRouter does not (verification is a courtesy).
    if (error instanceof OpenRouterError && (error.status === 401 || error.status === 403)) {
      // OpenRouter's own words (redacted of keys by OpenRouterError) stay as they are: a parameter.
      const params = { status: error.status, detail: error.message };
      return { message: serverMessage("sync.keyRejected", params), messageKey: "sync.keyRejected", messageParams: params, details: { status: error.status } };
    }
    ctx.log.warn({ keyHint: maskKey(key), status: error instanceof OpenRouterError ? error.status : undefined }, "key verification unavailable; syncing anyway");
  }
  return null;
}

async function syncFromSettings(ctx: Context, user: AuthUser, connection: ReturnType<typeof findOpenRouterConnection>): Promise<OpenRouterSync> {
  const { deps } = ctx;
  if (!connection) {
    return { status: "skipped", ...said("sync.noConnection") };
  }
  const keyHint = maskKey(connection.key);
  const fail = async (
    words: Pick<OpenRouterSync, "message" | "messageKey" | "messageParams">,
    details: Record<string, unknown> = {},
  ): Promise<OpenRouterSync> => {
    const { message } = words;
    await appendAudit(deps.db, {
      actorUserId: user.id,
      actorKind: "user",
      action: "org_sync.failed",
      organizationId: user.organizationId,
      targetType: "user",
      targetId: user.id,
      details: { keyHint, reason: message, ...details },
      ip: ctx.request.ip,
    }).catch((error: unknown) => ctx.log.error({ err: { name: (error as Error).name } }, "audit write failed"));
    return { status: "failed", ...words };
  };

  try {
    if (user.role === "org_admin") {
      const problem = await chatKeyProblem(ctx, connection.key);
      if (problem) return await fail(problem, problem.details);
    }
    const result = await syncOrganizationForUser(deps.db, deps.secrets, {
      userId: user.id,
      key: connection.key,
      now: deps.now(),
      ip: ctx.request.ip,
      // A provisioned key the save replaces is deleted upstream after the grace, as setKey's.
      retireReplacedKeyAfter: retirementDueAt(deps),
    });
    const words = { message: result.message, messageKey: result.messageKey, messageParams: result.messageParams };
    if (result.status === "conflict") return { status: "failed", ...words };
    return {
      status: result.status,
      ...(result.organizationId ? { organizationId: result.organizationId } : {}),
      ...words,
    };
  } catch (error) {
    ctx.log.error({ keyHint, err: { name: (error as Error).name, code: (error as { code?: unknown }).code } }, "org sync failed");
    return fail(said("sync.failed"));
  }
}
