// Why: `POST /api/v1/chat/completions` as live OpenRouter behaves, including the parts the docs get
// wrong or leave out: `usage` (with `cost`) on every response and on the last chunk before
// `[DONE]` (whose `choices` is not empty, live), `: OPENROUTER PROCESSING` comments before and
// between chunks, a top-level `provider`, `gen-<unix>-<20 alnum>` ids echoed in `X-Generation-Id`,
// 401 `User not found.` for management keys, 403 for a spent key limit, a *pre-flight* 402 on the
// worst case, and partial-or-full billing when a client walks away mid-stream.
//
// Order of checks: auth (401) → body (400) → model (400) → key limit (403) → worst case (402) →
// injected upstream failure (429/5xx, nothing charged) → generation.
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { SimContext } from "./context";
import {
  FAULT_HEADER,
  FaultSyntaxError,
  mergeFaults,
  parseFaults,
  REPLY_HEADER,
  type SimFaults,
  splitModelFaults,
} from "./faults";
import { bearerOf, HttpError, isRecord, readJson, sendError, sleep } from "./http";
import { picoToNano, priceToPico, usdText } from "./money";
import { resolveModel, type SimModel } from "./models";
import type { ChargeOutcome, SimKey } from "./state";

const KEEPALIVE_COMMENT = ": OPENROUTER PROCESSING\n\n";
const DEFAULT_REPLY = "Hello from the OpenRouter simulator.";
const FILLER = [" lorem", " ipsum", " dolor", " sit", " amet"];
const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

// Ids are drawn from a pooled random buffer: one crypto call per 512 ids, not per request.
let idPool = randomBytes(0);
let idOffset = 0;
function generationId(nowMs: number): string {
  if (idOffset + 20 > idPool.length) {
    idPool = randomBytes(20 * 512);
    idOffset = 0;
  }
  let suffix = "";
  for (let i = 0; i < 20; i += 1) suffix += ALNUM[(idPool[idOffset + i] as number) % 62];
  idOffset += 20;
  return `gen-${Math.floor(nowMs / 1000)}-${suffix}`;
}

/**
 * Deterministic "native tokenizer": per message 4 + ceil(UTF-8 bytes of its content / 4), plus 3
 * for the reply priming. Non-string content (parts arrays) counts by its JSON text.
 */
function countPromptTokens(messages: readonly unknown[]): number {
  let tokens = 3;
  for (const message of messages) {
    const content = isRecord(message) ? message.content : undefined;
    const text = typeof content === "string" ? content : content == null ? "" : JSON.stringify(content);
    tokens += 4 + Math.ceil(Buffer.byteLength(text, "utf8") / 4);
  }
  return tokens;
}

/** The reply split into word tokens (leading whitespace kept), extended with filler to `count`. */
export function replyTokens(reply: string, count: number | undefined): string[] {
  const words = reply.match(/\s*\S+/g) ?? [reply];
  const wanted = count ?? words.length;
  const tokens = words.slice(0, wanted);
  for (let i = 0; tokens.length < wanted; i += 1) tokens.push(FILLER[i % FILLER.length] as string);
  return tokens;
}

interface Prices {
  prompt: bigint;
  completion: bigint;
}

interface Plan {
  ctx: SimContext;
  key: SimKey;
  model: SimModel;
  faults: SimFaults;
  id: string;
  created: number;
  startedMs: number;
  promptTokens: number;
  tokens: string[];
  finishReason: "stop" | "length";
  user: string | null;
  sessionId: string | null;
  httpReferer: string | null;
  appTitle: string | null;
  userAgent: string | null;
  /** What is charged (and reported by /generation). */
  charged: Prices;
  /** What a stream reports as usage.cost (lower than `charged` under the low-stream-cost cases). */
  streamReported: Prices;
}

// Parsed once per model: the price strings never change while a simulator runs.
const priceCache = new WeakMap<SimModel, { base: Prices; tier: Prices | undefined }>();
function pricesOf(model: SimModel): { base: Prices; tier: Prices | undefined } {
  let prices = priceCache.get(model);
  if (!prices) {
    prices = {
      base: { prompt: priceToPico(model.prompt), completion: priceToPico(model.completion) },
      tier: model.tier
        ? { prompt: priceToPico(model.tier.prompt), completion: priceToPico(model.tier.completion) }
        : undefined,
    };
    priceCache.set(model, prices);
  }
  return prices;
}

function cost(prices: Prices, promptTokens: number, completionTokens: number) {
  const promptPico = prices.prompt * BigInt(promptTokens);
  const completionPico = prices.completion * BigInt(completionTokens);
  return {
    nano: picoToNano(promptPico + completionPico),
    promptNano: picoToNano(promptPico),
    completionNano: picoToNano(completionPico),
  };
}

/**
 * The usage object as JSON text, money written as exact decimal text (the hot path: a template,
 * not an object + stringify). Key order follows live captures.
 */
function usageJson(
  prices: Prices,
  promptTokens: number,
  completionTokens: number,
): { json: string; text: string } {
  const c = cost(prices, promptTokens, completionTokens);
  const text = usdText(c.nano);
  return {
    text,
    json:
      `{"prompt_tokens":${promptTokens},"completion_tokens":${completionTokens},"total_tokens":${promptTokens + completionTokens},` +
      `"cost":${text},"is_byok":false,` +
      `"prompt_tokens_details":{"cached_tokens":0,"cache_write_tokens":0,"audio_tokens":0,"video_tokens":0},` +
      `"cost_details":{"upstream_inference_cost":${text},"upstream_inference_prompt_cost":${usdText(c.promptNano)},` +
      `"upstream_inference_completions_cost":${usdText(c.completionNano)}},` +
      `"completion_tokens_details":{"reasoning_tokens":0,"image_tokens":0,"audio_tokens":0}}`,
  };
}

function nativeFinish(model: SimModel, reason: string): string {
  if (reason === "stop") return model.nativeStop ?? "stop";
  if (reason === "length") return model.nativeStop === "STOP" ? "MAX_TOKENS" : "length";
  return reason;
}

/** Records the charge in the ledger and makes the generation visible to /generation (after its delay). */
function settle(
  plan: Plan,
  completionTokens: number,
  how: {
    outcome: ChargeOutcome;
    /** The generation was actually stopped early (a cancellable provider). */
    cancelled?: boolean;
    reportedCostUsd: string | null;
    streamed: boolean;
    finishReason: string | null;
  },
): void {
  const { outcome, reportedCostUsd, streamed, finishReason } = how;
  const cancelled = how.cancelled ?? false;
  const { ctx } = plan;
  const charged = cost(plan.charged, plan.promptTokens, completionTokens);
  const chargedText = usdText(charged.nano);
  const now = ctx.state.now();
  ctx.state.charge(
    plan.key,
    {
      generationId: plan.id,
      user: plan.user,
      model: plan.model.id,
      provider: plan.model.provider,
      promptTokens: plan.promptTokens,
      completionTokens,
      costNano: charged.nano,
      reportedCostUsd,
      streamed,
      cancelled,
      outcome,
    },
    {
      id: plan.id,
      keyHash: plan.key.hash,
      model: plan.model.id,
      provider: plan.model.provider,
      streamed,
      cancelled,
      finishReason,
      nativeFinishReason: finishReason === null ? null : nativeFinish(plan.model, finishReason),
      promptTokens: plan.promptTokens,
      completionTokens,
      latencyMs: plan.faults.latencyMs ?? 0,
      generationTimeMs: Math.max(0, now - plan.startedMs),
      user: plan.user,
      sessionId: plan.sessionId,
      httpReferer: plan.httpReferer,
      appTitle: plan.appTitle,
      userAgent: plan.userAgent,
    },
    ctx.generationDelayMs,
    chargedText,
  );
}

function midStreamError(code: number): { message: string; metadata: Record<string, unknown> } {
  // On 500-class errors OpenRouter masks the message and leaves provider_code out.
  switch (code) {
    case 429:
      return {
        message: "Rate limit exceeded",
        metadata: { error_type: "rate_limit_exceeded", provider_code: "rate_limited" },
      };
    case 500:
      return { message: "Internal Server Error", metadata: { error_type: "server" } };
    case 502:
      return { message: "Provider returned error", metadata: { error_type: "provider_unavailable" } };
    case 503:
      return { message: "Service temporarily unavailable", metadata: { error_type: "provider_overloaded" } };
    case 504:
      return { message: "Operation timed out. Please try again later.", metadata: { error_type: "timeout" } };
    default:
      return code >= 500
        ? { message: "Provider returned error", metadata: { error_type: "unmapped" } }
        : {
            message: "Provider returned error",
            metadata: { error_type: "unmapped", provider_code: String(code) },
          };
  }
}

function upstreamFailure(
  status: number,
  provider: string,
): { message: string; metadata?: Record<string, unknown> } {
  switch (status) {
    case 429:
      return {
        message: "Provider returned error",
        metadata: { raw: "Rate limit reached, please retry", provider_name: provider },
      };
    case 500:
      return { message: "Internal Server Error" };
    case 502:
      return {
        message: "Provider returned error",
        metadata: { raw: "upstream connect error", provider_name: provider },
      };
    case 503:
      return { message: "Service temporarily unavailable" };
    case 408:
      return { message: "Operation timed out. Please try again later." };
    default:
      return {
        message: "Provider returned error",
        metadata: { raw: `HTTP ${status}`, provider_name: provider },
      };
  }
}

function positiveInt(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new HttpError(400, `${name} must be a positive integer`);
  }
  return value;
}

function headerValue(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return typeof value === "string" ? value : Array.isArray(value) ? (value[0] ?? null) : null;
}

export async function handleChat(ctx: SimContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  ctx.counters.chatRequests += 1;
  const bearer = bearerOf(req);
  if (bearer === null) {
    sendError(res, 401, "Missing Authentication header");
    return;
  }
  const key = ctx.state.keysByKey.get(bearer);
  const nowMs = ctx.state.now();
  // A management key on inference gets the same answer as a bad key, as live.
  if (
    !key ||
    key.disabled ||
    key.management ||
    (key.expiresAt !== null && Date.parse(key.expiresAt) <= nowMs)
  ) {
    sendError(res, 401, "User not found.");
    return;
  }
  const userId = ctx.state.userId;
  const body = await readJson(req);
  if (!isRecord(body) || !Array.isArray(body.messages) || body.messages.length === 0) {
    sendError(res, 400, 'Input required: specify "prompt" or "messages"', { userId });
    return;
  }
  if (body.user !== undefined && typeof body.user !== "string") {
    sendError(res, 400, "user must be a string", { userId });
    return;
  }

  // Model (with an optional `@sim:` fault suffix), then `models` fallbacks in order.
  const requested: string[] = [];
  if (typeof body.model === "string") requested.push(body.model);
  if (Array.isArray(body.models)) for (const m of body.models) if (typeof m === "string") requested.push(m);
  if (requested.length === 0) requested.push(ctx.defaultModel);
  let model: SimModel | undefined;
  let suffixSpec: string | undefined;
  for (const slug of requested) {
    const split = splitModelFaults(slug);
    suffixSpec ??= split.spec;
    model = resolveModel(ctx.models, split.model);
    if (model) break;
  }
  if (!model) {
    sendError(res, 400, `${splitModelFaults(requested[0] as string).model} is not a valid model ID`, {
      userId,
    });
    return;
  }

  let faults: SimFaults;
  try {
    const header = headerValue(req, FAULT_HEADER);
    const reply = headerValue(req, REPLY_HEADER);
    faults = mergeFaults(
      ctx.globalFaults,
      ctx.queuedFaults.shift(),
      header === null ? undefined : parseFaults(header),
      suffixSpec === undefined ? undefined : parseFaults(suffixSpec),
      reply === null ? undefined : { reply: decodeURIComponent(reply) },
    );
  } catch (error) {
    // A bad fault spec (or a malformed percent-encoded X-Sim-Reply) is the caller's mistake: 400.
    if (error instanceof FaultSyntaxError || error instanceof URIError) {
      sendError(res, 400, error.message, { userId });
      return;
    }
    throw error;
  }

  const maxTokens =
    positiveInt(body.max_completion_tokens, "max_completion_tokens") ??
    positiveInt(body.max_tokens, "max_tokens");
  const promptTokens = countPromptTokens(body.messages);
  const wanted = replyTokens(faults.reply ?? DEFAULT_REPLY, faults.completionTokens);
  const cap = maxTokens ?? model.maxCompletionTokens;
  const tokens = wanted.length > cap ? wanted.slice(0, cap) : wanted;

  const { base, tier } = pricesOf(model);
  const tierApplies =
    tier !== undefined && model.tier !== undefined && promptTokens >= model.tier.minPromptTokens;
  let charged = tierApplies ? tier : base;
  let streamReported = tierApplies && model.streamReportsBasePrice ? base : charged;
  if (faults.lowStreamCost) {
    charged = tier ?? { prompt: base.prompt * 2n, completion: base.completion * 2n };
    streamReported = base;
  }

  // 403: the key's limit is already spent.
  const remaining = ctx.state.limitRemaining(key);
  if (remaining !== null && remaining <= 0n) {
    const window = key.limitReset === null ? "total" : key.limitReset;
    sendError(
      res,
      403,
      `Key limit exceeded (${window} limit). Manage it using https://openrouter.ai/settings/keys`,
      {
        userId,
      },
    );
    return;
  }
  // 402: pre-flight worst case (max_tokens, or the model's default maximum, at full price) against
  // the tighter of the key's remaining limit and the account balance.
  const worstOut = maxTokens ?? model.maxCompletionTokens;
  const promptPico = charged.prompt * BigInt(promptTokens);
  const worstPico = promptPico + charged.completion * BigInt(worstOut);
  const balancePico = ctx.state.balanceNano() * 1000n;
  const keyPico = remaining === null ? null : remaining * 1000n;
  const keyBinds = keyPico !== null && keyPico < balancePico;
  const available = keyBinds ? keyPico : balancePico;
  if (balancePico < 0n || worstPico > available) {
    const spare = available - promptPico;
    let affordable = charged.completion > 0n && spare > 0n ? spare / charged.completion : 0n;
    if (affordable > BigInt(worstOut)) affordable = BigInt(worstOut);
    const advice = keyBinds
      ? "To increase, visit https://openrouter.ai/settings/keys and create a key with a higher monthly limit"
      : "To increase, visit https://openrouter.ai/settings/credits and upgrade to a paid account";
    sendError(
      res,
      402,
      `This request requires more credits, or fewer max_tokens. You requested up to ${worstOut} tokens, but can only afford ${affordable}. ${advice}`,
      { metadata: { provider_name: null }, userId },
    );
    return;
  }

  // An injected upstream failure before the first token: a real HTTP status, nothing charged.
  if (faults.status !== undefined) {
    const retryAfter = faults.retryAfter ?? (faults.status === 429 || faults.status === 503 ? 1 : undefined);
    const failure = upstreamFailure(faults.status, model.provider);
    await sleep(faults.latencyMs ?? 0, ctx.closing);
    sendError(res, faults.status, failure.message, {
      metadata: failure.metadata,
      userId,
      headers: retryAfter === undefined ? {} : { "Retry-After": String(retryAfter) },
    });
    return;
  }

  const plan: Plan = {
    ctx,
    key,
    model,
    faults,
    id: generationId(nowMs),
    created: Math.floor(nowMs / 1000),
    startedMs: nowMs,
    promptTokens,
    tokens,
    finishReason: tokens.length < wanted.length ? "length" : "stop",
    user: typeof body.user === "string" ? body.user : null,
    sessionId: typeof body.session_id === "string" ? body.session_id : headerValue(req, "x-session-id"),
    httpReferer: headerValue(req, "http-referer"),
    appTitle: headerValue(req, "x-openrouter-title") ?? headerValue(req, "x-title"),
    userAgent: headerValue(req, "user-agent"),
    charged,
    streamReported,
  };
  if (body.stream === true) await stream(plan, res);
  else await complete(plan, res);
}

function tokenDelay(faults: SimFaults): number {
  if (faults.tokenLatencyMs !== undefined) return faults.tokenLatencyMs;
  if (faults.tokensPerSecond !== undefined && faults.tokensPerSecond > 0)
    return 1000 / faults.tokensPerSecond;
  return 0;
}

// --- Non-streaming ------------------------------------------------------------------------------

async function complete(plan: Plan, res: ServerResponse): Promise<void> {
  const { faults, model, ctx } = plan;
  const n = plan.tokens.length;
  const headers = { "Content-Type": "application/json", "X-Generation-Id": plan.id };
  if (faults.leadingNewlines) {
    res.writeHead(200, headers);
    res.write("\n\n\n");
  }
  // Non-streaming generations run to the end and are billed in full even if the client leaves.
  await sleep((faults.latencyMs ?? 0) + n * tokenDelay(faults), ctx.closing);

  if (faults.dropAfterTokens !== undefined) {
    settle(plan, n, {
      outcome: "dropped",
      reportedCostUsd: null,
      streamed: false,
      finishReason: plan.finishReason,
    });
    res.socket?.destroy();
    return;
  }
  const failAt = faults.errorAfterTokens;
  const failed = failAt !== undefined;
  const produced = failed ? Math.min(failAt, n) : n;
  const finishReason = failed ? "error" : plan.finishReason;
  const usage = usageJson(plan.charged, plan.promptTokens, produced);
  let error = "";
  if (failed) {
    const code = faults.errorCode ?? 502;
    const info = midStreamError(code);
    error = `,"error":${JSON.stringify({ code, message: info.message, metadata: info.metadata })}`;
  }
  settle(plan, produced, {
    outcome: failed ? "error" : "completed",
    reportedCostUsd: usage.text,
    streamed: false,
    finishReason,
  });
  const content = JSON.stringify(plan.tokens.slice(0, produced).join(""));
  const text =
    `{"id":"${plan.id}","provider":${JSON.stringify(model.provider)},"model":${JSON.stringify(model.id)},` +
    `"object":"chat.completion","created":${plan.created},"system_fingerprint":null,` +
    `"choices":[{"index":0,"logprobs":null,"finish_reason":"${finishReason}",` +
    `"native_finish_reason":${JSON.stringify(nativeFinish(model, finishReason))},` +
    `"message":{"role":"assistant","content":${content},"refusal":null,"reasoning":null}${error}}],` +
    `"usage":${usage.json}}`;
  if (res.headersSent) {
    res.end(text);
  } else {
    res.writeHead(200, { ...headers, "Content-Length": Buffer.byteLength(text) });
    res.end(text);
  }
}

// --- Streaming ----------------------------------------------------------------------------------

async function stream(plan: Plan, res: ServerResponse): Promise<void> {
  const { faults, model, ctx } = plan;
  const n = plan.tokens.length;
  res.writeHead(200, {
    "Content-Type": "text/event-stream",
    "Cache-Control": "no-cache",
    "X-Generation-Id": plan.id,
  });
  ctx.counters.activeStreams += 1;
  // The client going away mid-stream aborts the generation (see `cancel` below).
  const clientGone = new AbortController();
  const onClose = (): void => {
    if (!res.writableFinished) clientGone.abort();
  };
  res.on("close", onClose);

  const prefix = `{"id":"${plan.id}","provider":${JSON.stringify(model.provider)},"model":${JSON.stringify(model.id)},"object":"chat.completion.chunk","created":${plan.created},"choices":[`;
  const delta = (content: string, finish: string | null): string =>
    `{"index":0,"delta":{"role":"assistant","content":${JSON.stringify(content)}},"finish_reason":${
      finish === null ? "null" : `"${finish}"`
    },"native_finish_reason":${finish === null ? "null" : JSON.stringify(nativeFinish(model, finish))},"logprobs":null}`;
  const data = (json: string): string => `data: ${json}\n\n`;

  // Output is batched: everything produced without a pause goes out in one write (zero-latency
  // mode is then one write per response); a real pause flushes first.
  const out: string[] = [KEEPALIVE_COMMENT];
  const flush = (): void => {
    if (out.length > 0 && !res.destroyed) res.write(out.join(""));
    out.length = 0;
  };
  const pause = async (ms: number): Promise<boolean> => {
    flush();
    await sleep(ms, clientGone.signal, ctx.closing);
    return clientGone.signal.aborted || ctx.closing.aborted;
  };
  let sent = 0;
  // Cancellation: providers that support it stop and bill what was produced; others run to the
  // end and bill everything (OpenRouter docs, streaming.mdx).
  const cancel = (outcome: "cancelled" | "dropped"): void => {
    settle(plan, model.cancellable ? sent : n, {
      outcome,
      cancelled: model.cancellable,
      reportedCostUsd: null,
      streamed: true,
      finishReason: model.cancellable ? null : plan.finishReason,
    });
  };

  try {
    // First-token latency, with keep-alive comments while waiting.
    let wait = faults.latencyMs ?? 0;
    while (wait > 0) {
      const slice = Math.min(wait, ctx.keepAliveIntervalMs);
      if (await pause(slice)) return cancel("cancelled");
      wait -= slice;
      if (wait > 0) out.push(KEEPALIVE_COMMENT);
    }
    out.push(data(prefix + delta("", null) + "]}"));
    const perToken = tokenDelay(faults);
    for (let i = 0; i <= n; i += 1) {
      if (faults.errorAfterTokens !== undefined && faults.errorAfterTokens <= i) return fail(i);
      if (faults.dropAfterTokens !== undefined && faults.dropAfterTokens <= i) return drop();
      if (i === n) break;
      if (i > 0 && perToken > 0 && (await pause(perToken))) return cancel("cancelled");
      out.push(data(prefix + delta(plan.tokens[i] as string, null) + "]}"));
      sent = i + 1;
      if (ctx.keepAliveEvery > 0 && sent % ctx.keepAliveEvery === 0 && sent < n) out.push(KEEPALIVE_COMMENT);
    }
    out.push(data(prefix + delta("", plan.finishReason) + "]}"));
    const reported = usageJson(plan.streamReported, plan.promptTokens, n);
    settle(plan, n, {
      outcome: "completed",
      reportedCostUsd: faults.noUsage ? null : reported.text,
      streamed: true,
      finishReason: plan.finishReason,
    });
    if (!faults.noUsage) {
      const style = faults.usageChunk ?? "repeat-stop";
      const choices = style === "empty" ? "" : delta("", style === "repeat-stop" ? plan.finishReason : null);
      out.push(data(`${prefix}${choices}],"usage":${reported.json}}`));
    }
    out.push("data: [DONE]\n\n");
    res.end(out.join(""));
  } finally {
    res.off("close", onClose);
    ctx.counters.activeStreams -= 1;
  }

  function fail(at: number): void {
    const code = faults.errorCode ?? 502;
    const info = midStreamError(code);
    const chunk = {
      id: plan.id,
      object: "chat.completion.chunk",
      created: plan.created,
      model: model.id,
      provider: model.provider,
      error: { code, message: info.message, metadata: info.metadata },
      choices:
        faults.errorChoices === "empty" ? [] : [{ index: 0, delta: { content: "" }, finish_reason: "error" }],
    };
    // UNVERIFIED live: what a failed stream bills. The simulator bills what was produced (no usage
    // is sent, so the proxy must reconcile through /generation).
    settle(plan, at, { outcome: "error", reportedCostUsd: null, streamed: true, finishReason: "error" });
    out.push(data(JSON.stringify(chunk)));
    if (faults.doneAfterError) out.push("data: [DONE]\n\n");
    res.end(out.join(""));
  }

  function drop(): void {
    cancel("dropped");
    const rest = out.join("");
    out.length = 0;
    // Destroy only after the bytes so far are on the wire, so the client sees a mid-stream cut.
    if (rest.length > 0) res.write(rest, () => res.socket?.destroy());
    else res.socket?.destroy();
  }
}
