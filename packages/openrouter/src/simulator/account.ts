// Why: the account-side endpoints with OpenRouter's irregular shapes reproduced exactly: `/keys`
// (201 `{ data, key }` on create, the plaintext key only there; masked `label`; `{ deleted: true }`
// with no `data` wrapper; 100 per page, disabled keys hidden unless asked), `/key` (any key,
// management keys included), `/credits` (management keys only: 403 otherwise), `/generation` (404
// for a while after completion; `native_tokens_*` equal chat usage, `tokens_*` are "normalised"
// and deliberately differ) and the public `/models`.
import type { IncomingMessage, ServerResponse } from "node:http";
import { usdToNano } from "@mai/domain";
import { LimitResetSchema } from "../schemas";
import type { SimContext } from "./context";
import { bearerOf, HttpError, isRecord, readJson, sendError, sendJson } from "./http";
import { rawNumber, usdText } from "./money";
import { modelJson } from "./models";
import type { SimKey } from "./state";

const ONLY_MANAGEMENT = "Only management keys can perform this operation";
const PAGE_SIZE = 100;

function money(nano: bigint): string {
  return rawNumber(usdText(nano));
}

/** Any live key (inference or management); sends 401 and returns null otherwise. */
function authAny(ctx: SimContext, req: IncomingMessage, res: ServerResponse): SimKey | null {
  const bearer = bearerOf(req);
  if (bearer === null) {
    sendError(res, 401, "Missing Authentication header");
    return null;
  }
  const key = ctx.state.keysByKey.get(bearer);
  if (!key || key.disabled || (key.expiresAt !== null && Date.parse(key.expiresAt) <= ctx.state.now())) {
    sendError(res, 401, "User not found.");
    return null;
  }
  return key;
}

function authManagement(ctx: SimContext, req: IncomingMessage, res: ServerResponse): SimKey | null {
  const key = authAny(ctx, req, res);
  if (key && !key.management) {
    sendError(res, 403, ONLY_MANAGEMENT, { userId: ctx.state.userId });
    return null;
  }
  return key;
}

function usageFields(ctx: SimContext, key: SimKey): Record<string, unknown> {
  const usage = ctx.state.currentUsage(key);
  return {
    usage: money(usage.total),
    usage_daily: money(usage.daily),
    usage_weekly: money(usage.weekly),
    usage_monthly: money(usage.monthly),
    byok_usage: 0,
    byok_usage_daily: 0,
    byok_usage_weekly: 0,
    byok_usage_monthly: 0,
  };
}

function keyJson(ctx: SimContext, key: SimKey): Record<string, unknown> {
  const remaining = ctx.state.limitRemaining(key);
  const usage = usageFields(ctx, key);
  return {
    hash: key.hash,
    name: key.name,
    label: key.label,
    disabled: key.disabled,
    limit: key.limitNano === null ? null : money(key.limitNano),
    limit_remaining: remaining === null ? null : money(remaining),
    limit_reset: key.limitReset,
    include_byok_in_limit: key.includeByokInLimit,
    ...usage,
    created_at: key.createdAt,
    updated_at: key.updatedAt,
    expires_at: key.expiresAt,
    creator_user_id: key.creatorUserId,
    workspace_id: key.workspaceId,
  };
}

export function handleKeyInfo(ctx: SimContext, req: IncomingMessage, res: ServerResponse): void {
  const key = authAny(ctx, req, res);
  if (!key) return;
  const remaining = ctx.state.limitRemaining(key);
  sendJson(res, 200, {
    data: {
      label: key.label,
      limit: key.limitNano === null ? null : money(key.limitNano),
      limit_reset: key.limitReset,
      limit_remaining: remaining === null ? null : money(remaining),
      include_byok_in_limit: key.includeByokInLimit,
      ...usageFields(ctx, key),
      is_free_tier: ctx.isFreeTier,
      is_management_key: key.management,
      is_provisioning_key: key.management,
      expires_at: key.expiresAt,
      creator_user_id: key.creatorUserId,
      rate_limit: { requests: -1, interval: "10s", note: "This field is deprecated and safe to ignore." },
    },
  });
}

export function handleCredits(ctx: SimContext, req: IncomingMessage, res: ServerResponse): void {
  if (!authManagement(ctx, req, res)) return;
  sendJson(res, 200, {
    data: { total_credits: money(ctx.state.creditsNano), total_usage: money(ctx.state.accountUsageNano) },
  });
}

// --- Key input validation (400 with a message naming the field) --------------------------------

interface KeyFields {
  name?: string;
  disabled?: boolean;
  limitNano?: bigint | null;
  limitReset?: SimKey["limitReset"];
  includeByokInLimit?: boolean;
  expiresAt?: string | null;
}

function parseKeyFields(body: unknown, mode: "create" | "update"): KeyFields {
  if (!isRecord(body)) throw new HttpError(400, "Request body must be a JSON object");
  const out: KeyFields = {};
  if (body.name !== undefined || mode === "create") {
    if (typeof body.name !== "string" || body.name.trim() === "")
      throw new HttpError(400, "name is required and must be a non-empty string");
    out.name = body.name;
  }
  if (body.limit !== undefined) {
    if (
      body.limit !== null &&
      (typeof body.limit !== "number" || !Number.isFinite(body.limit) || body.limit < 0)
    ) {
      throw new HttpError(400, "limit must be a non-negative number or null");
    }
    out.limitNano = body.limit === null ? null : usdToNano(body.limit);
  }
  if (body.limit_reset !== undefined) {
    if (body.limit_reset !== null && !LimitResetSchema.safeParse(body.limit_reset).success) {
      throw new HttpError(400, 'limit_reset must be "daily", "weekly", "monthly" or null');
    }
    out.limitReset = body.limit_reset as SimKey["limitReset"];
  }
  if (body.include_byok_in_limit !== undefined) {
    if (typeof body.include_byok_in_limit !== "boolean")
      throw new HttpError(400, "include_byok_in_limit must be a boolean");
    out.includeByokInLimit = body.include_byok_in_limit;
  }
  if (mode === "update" && body.disabled !== undefined) {
    if (typeof body.disabled !== "boolean") throw new HttpError(400, "disabled must be a boolean");
    out.disabled = body.disabled;
  }
  if (mode === "create" && body.expires_at !== undefined && body.expires_at !== null) {
    // OpenRouter accepts UTC timestamps only.
    if (
      typeof body.expires_at !== "string" ||
      !/(Z|[+-]00:?00)$/.test(body.expires_at) ||
      Number.isNaN(Date.parse(body.expires_at))
    ) {
      throw new HttpError(400, "expires_at must be an ISO 8601 timestamp in UTC");
    }
    out.expiresAt = new Date(Date.parse(body.expires_at)).toISOString();
  }
  return out;
}

function apply(key: SimKey, fields: KeyFields): void {
  if (fields.name !== undefined) key.name = fields.name;
  if (fields.disabled !== undefined) key.disabled = fields.disabled;
  if (fields.limitNano !== undefined) key.limitNano = fields.limitNano;
  if (fields.limitReset !== undefined) key.limitReset = fields.limitReset;
  if (fields.includeByokInLimit !== undefined) key.includeByokInLimit = fields.includeByokInLimit;
  if (fields.expiresAt !== undefined) key.expiresAt = fields.expiresAt;
}

export async function handleKeys(
  ctx: SimContext,
  req: IncomingMessage,
  res: ServerResponse,
  hash: string | null,
  query: URLSearchParams,
): Promise<void> {
  if (!authManagement(ctx, req, res)) return;
  const userId = ctx.state.userId;
  const method = req.method ?? "GET";

  if (hash === null) {
    if (method === "GET") {
      const offset = Number(query.get("offset") ?? "0");
      if (!Number.isInteger(offset) || offset < 0)
        throw new HttpError(400, "offset must be a non-negative integer");
      const includeDisabled = query.get("include_disabled") === "true";
      const keys = [...ctx.state.keysByHash.values()]
        .filter((k) => !k.management && (includeDisabled || !k.disabled))
        .sort((a, b) => b.seq - a.seq) // newest first
        .slice(offset, offset + PAGE_SIZE);
      sendJson(res, 200, { data: keys.map((k) => keyJson(ctx, k)) });
      return;
    }
    if (method === "POST") {
      const fields = parseKeyFields(await readJson(req), "create");
      const key = ctx.state.addKey({});
      apply(key, fields);
      sendJson(res, 201, { data: keyJson(ctx, key), key: key.key });
      return;
    }
    sendError(res, 405, "Method not allowed", { userId });
    return;
  }

  const key = ctx.state.keysByHash.get(hash);
  if (!key || key.management) {
    sendError(res, 404, "Key not found", { userId });
    return;
  }
  if (method === "GET") {
    sendJson(res, 200, { data: keyJson(ctx, key) });
  } else if (method === "PATCH") {
    apply(key, parseKeyFields(await readJson(req), "update"));
    key.updatedAt = new Date(ctx.state.now()).toISOString();
    sendJson(res, 200, { data: keyJson(ctx, key) });
  } else if (method === "DELETE") {
    ctx.state.deleteKey(key);
    sendJson(res, 200, { deleted: true });
  } else {
    sendError(res, 405, "Method not allowed", { userId });
  }
}

/** `tokens_*` are OpenRouter's normalised counts; they differ from the native ones on purpose. */
function normalised(native: number): number {
  return Math.ceil(native * 0.8);
}

export function handleGeneration(
  ctx: SimContext,
  req: IncomingMessage,
  res: ServerResponse,
  query: URLSearchParams,
): void {
  if (!authAny(ctx, req, res)) return;
  const id = query.get("id");
  if (!id) {
    sendError(res, 400, "id is required", { userId: ctx.state.userId });
    return;
  }
  const g = ctx.state.generations.get(id);
  if (!g || ctx.state.now() < g.availableAtMs) {
    sendError(res, 404, `Generation ${id} not found`, { userId: ctx.state.userId });
    return;
  }
  sendJson(
    res,
    200,
    {
      data: {
        id: g.id,
        upstream_id: `chatcmpl-sim-${g.id.slice(-12)}`,
        request_id: `req-${g.id.slice(-20)}`,
        created_at: new Date(g.createdAtMs).toISOString(),
        model: g.model,
        provider_name: g.provider,
        api_type: "completions",
        router: null,
        total_cost: rawNumber(g.costUsd),
        usage: rawNumber(g.costUsd),
        cache_discount: null,
        upstream_inference_cost: null,
        latency: g.latencyMs,
        generation_time: g.generationTimeMs,
        moderation_latency: null,
        tokens_prompt: normalised(g.promptTokens),
        tokens_completion: normalised(g.completionTokens),
        native_tokens_prompt: g.promptTokens,
        native_tokens_completion: g.completionTokens,
        native_tokens_reasoning: 0,
        native_tokens_cached: 0,
        native_tokens_completion_images: 0,
        num_media_prompt: null,
        num_input_audio_prompt: null,
        num_media_completion: 0,
        num_search_results: null,
        num_fetches: null,
        finish_reason: g.finishReason,
        native_finish_reason: g.nativeFinishReason,
        streamed: g.streamed,
        cancelled: g.cancelled,
        is_byok: false,
        origin: g.httpReferer ?? "",
        http_referer: g.httpReferer,
        user_agent: g.userAgent,
        app_id: null,
        external_user: g.user,
        preset_id: null,
        service_tier: null,
        data_region: null,
        web_search_engine: null,
        workspace_id: ctx.state.workspaceId,
        session_id: g.sessionId,
        provider_responses: [
          {
            id: `chatcmpl-sim-${g.id.slice(-12)}`,
            endpoint_id: `sim-${g.provider.toLowerCase().replace(/\W+/g, "-")}`,
            model_permaslug: g.model,
            provider_name: g.provider,
            status: 200,
            latency: g.latencyMs,
            is_byok: false,
          },
        ],
      },
    },
    { "X-Generation-Id": g.id },
  );
}

export function handleModels(ctx: SimContext, res: ServerResponse, query: URLSearchParams): void {
  const all = ctx.modelList;
  // Pagination is opt-in: with neither offset nor limit the whole list comes back.
  if (!query.has("offset") && !query.has("limit")) {
    sendJson(res, 200, { data: all.map(modelJson), total_count: all.length, links: { next: null } });
    return;
  }
  const offset = Math.max(0, Number(query.get("offset") ?? "0") || 0);
  const limit = Math.min(1000, Math.max(1, Number(query.get("limit") ?? "500") || 500));
  const page = all.slice(offset, offset + limit);
  const next = offset + limit < all.length ? `/api/v1/models?offset=${offset + limit}&limit=${limit}` : null;
  sendJson(res, 200, { data: page.map(modelJson), total_count: all.length, links: { next } });
}
