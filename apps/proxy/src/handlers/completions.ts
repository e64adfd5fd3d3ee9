// POST /v1/chat/completions and /v1/completions (also under /api/v1/…): the hot path.
//   identity (cached) → organisation checks → `user` := the caller's external id → reserve the
//   worst case → forward with the organisation's key → pass the bytes through untouched, teeing
//   them into the SSE observer → one usage event, recorded off the request path.
// As soon as the generation id is known (X-Generation-Id, or a stream's first chunk) the request is
// written to the request journal (metering/journal.ts), so a crash cannot lose its charge.
// A client that disconnects from a *stream* aborts the upstream request at once: that is what stops
// OpenRouter's billing for providers that support cancellation. A *non-streamed* request is billed
// in full by OpenRouter whether or not anyone reads the answer, so it runs to its end upstream
// (bounded by the upstream timeouts) and is recorded with its real cost, status "aborted".
// OpenRouter refusing the organisation's key (401) while the proxy had it cached means the key
// changed (rotation): the cached context is dropped and the request is sent once more with the
// fresh key — before any byte went to the client, with the body already read, so it is safe.
import type { IncomingMessage, ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import { finished } from "node:stream/promises";
import { jsonDepthExceeds, storableText, usdToNano } from "@mai/domain";
import { createChatStreamObserver, type ChatStreamSummary } from "@mai/openrouter";
import { errors as undiciErrors } from "undici";
import type { ProxyDeps } from "../deps";
import { Errors, fromUpstream, sendError } from "../errors";
import { BodyTooLargeError, ClientGoneError, forwardableHeaders, readBody } from "../http";
import type { UsageEvent } from "../metering/recorder";
import type { Ticket } from "../reservations";

type CompletionKind = "chat" | "completions";
type Upstream = Awaited<ReturnType<ProxyDeps["upstream"]["request"]>>;

/** A model id as the usage ledger stores it (@mai/domain usage-event: 1–300 characters, storable text). */
const modelId = storableText(300).min(1);
const isModelId = (value: unknown): value is string => modelId.safeParse(value).success;

const ATTRIBUTION = { "http-referer": "https://github.com/mai-gateway/mai", "x-openrouter-title": "mAI Gateway", "x-title": "mAI Gateway" };

interface Outcome {
  generationId: string | null;
  model: string | null;
  provider: string | null;
  usage: ChatStreamSummary["usage"];
  costNano: bigint | null;
  failed: boolean;
}

function fromJsonBody(bytes: Buffer): Outcome {
  try {
    // Tolerates OpenRouter's leading keep-alive whitespace: JSON.parse skips it.
    const body = JSON.parse(bytes.toString("utf8")) as {
      id?: string;
      model?: string;
      provider?: string;
      usage?: ChatStreamSummary["usage"] & { cost?: number | null };
      error?: unknown;
      choices?: { finish_reason?: string | null }[];
    };
    const cost = body.usage?.cost;
    return {
      generationId: typeof body.id === "string" ? body.id : null,
      model: body.model ?? null,
      provider: body.provider ?? null,
      usage: body.usage ?? null,
      costNano: typeof cost === "number" ? usdToNano(cost) : null,
      failed: body.error !== undefined || body.choices?.[0]?.finish_reason === "error",
    };
  } catch {
    return { generationId: null, model: null, provider: null, usage: null, costNano: null, failed: true };
  }
}

export async function handleCompletion(deps: ProxyDeps, req: IncomingMessage, res: ServerResponse, kind: CompletionKind, route: string): Promise<void> {
  const started = performance.now();
  const occurredAt = new Date();
  const identity = await deps.identity.resolve(req.headers);
  if (!identity.ok) return sendError(res, identity.error);
  const ctx = identity.context;
  if (!ctx.organization.active) {
    deps.refusals.refused(ctx.organization.id, ctx.user.id, "organization_inactive");
    return sendError(res, Errors.inactive());
  }
  if (!ctx.openrouterKey) return sendError(res, Errors.upstreamUnavailable());

  let body: Record<string, unknown>;
  try {
    const text = (await readBody(req, deps.env.MAI_PROXY_MAX_BODY_BYTES)).toString("utf8");
    // Depth before parsing: JSON.parse copes with any depth, but every walk after it
    // (JSON.stringify of the forwarded body first) would overflow the stack.
    if (jsonDepthExceeds(text, deps.env.MAI_PROXY_MAX_JSON_DEPTH)) return sendError(res, Errors.jsonTooDeep(deps.env.MAI_PROXY_MAX_JSON_DEPTH));
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return sendError(res, Errors.notAnObject());
    body = parsed as Record<string, unknown>;
  } catch (error) {
    if (error instanceof BodyTooLargeError) return sendError(res, Errors.tooLarge(deps.env.MAI_PROXY_MAX_BODY_BYTES));
    if (error instanceof ClientGoneError) return;
    return sendError(res, Errors.badJson());
  }
  // The model ends up in the usage ledger: a name it cannot store would fail the event there, after
  // OpenRouter was paid. Refused here instead, before anything is forwarded.
  if (body.model !== undefined && !isModelId(body.model)) return sendError(res, Errors.invalidModel());
  const requestedModel = body.model;
  const allowed = ctx.organization.allowedModels;
  if (allowed && allowed.length > 0) {
    if (!requestedModel || !allowed.includes(requestedModel)) return sendError(res, Errors.modelNotAllowed(requestedModel ?? "(default)"));
    // OpenRouter's fallbacks would route around the allow-list otherwise.
    if (body.models !== undefined) {
      if (!Array.isArray(body.models) || !body.models.every(isModelId)) return sendError(res, Errors.invalidModels());
      const denied = body.models.find((m) => !allowed.includes(m));
      if (denied !== undefined) return sendError(res, Errors.modelNotAllowed(denied));
    }
  }
  // Attribution is not the client's to choose: whatever it sent, `user` is its external id.
  body.user = ctx.externalUserId;
  const streamed = body.stream === true;
  const payload = JSON.stringify(body);

  const maxTokens = [body.max_completion_tokens, body.max_tokens].find((v): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0);
  let reservation: Ticket;
  try {
    // OpenRouter may answer from any model of a `models` fallback list, at that model's price.
    const fallbacks = Array.isArray(body.models) ? body.models.filter(isModelId) : [];
    const amount = await deps.reservations.estimate({ model: requestedModel, fallbacks, payload, maxTokens, markupBp: ctx.organization.markupBp });
    const admitted = await deps.reservations.admit(ctx.organization.id, amount);
    if (!admitted) {
      deps.metrics.limitRefusals.inc();
      deps.refusals.refused(ctx.organization.id, ctx.user.id, "monthly_limit");
      const refusal = deps.reservations.lastRefusal(ctx.organization.id);
      return sendError(res, Errors.limit(refusal && refusal.spentNano + amount <= refusal.limitNano ? "held" : "spent"));
    }
    reservation = admitted;
  } catch {
    return sendError(res, Errors.apiUnavailable());
  }

  const controller = new AbortController();
  let clientGone = false;
  let upstreamBody: Upstream["body"] | null = null;
  res.on("close", () => {
    if (!res.writableFinished) {
      clientGone = true;
      if (streamed) controller.abort();
      // Not streamed: read on to the end (the cost is in the last bytes); a body paused for a
      // client that read slowly is resumed, there is no one left to wait for.
      else upstreamBody?.resume();
    }
  });
  // Gone before anything was forwarded (while identity or admission ran): nothing is sent, nothing charged.
  if (clientGone || res.destroyed || req.socket.destroyed) {
    deps.reservations.release(reservation);
    return;
  }

  const forward = (key: string) =>
    deps.upstream.request({
      path: `${deps.upstreamBasePath}/${kind === "chat" ? "chat/completions" : "completions"}`,
      method: "POST",
      headers: {
        authorization: `Bearer ${key}`,
        "content-type": "application/json",
        accept: streamed ? "text/event-stream" : "application/json",
        ...ATTRIBUTION,
      },
      body: payload,
      signal: controller.signal,
    });
  let upstream: Upstream;
  let usedKey = ctx.openrouterKey;
  try {
    upstream = await forward(ctx.openrouterKey);
    if (upstream.statusCode === 401 && !clientGone) {
      // The cached key was refused: rotated (or replaced) since it was cached. One retry, only with
      // a different key; the same key refused again is the operator's problem (502 below).
      const fresh = await deps.identity.refresh(req.headers, ctx);
      const key = fresh.ok && fresh.context.organization.id === ctx.organization.id ? fresh.context.openrouterKey : null;
      if (key && key !== ctx.openrouterKey && !clientGone) {
        await upstream.body.dump().catch(() => undefined);
        deps.logger.info({ organizationId: ctx.organization.id }, "OpenRouter refused a cached organisation key; retried with the current one");
        usedKey = key;
        upstream = await forward(key);
      }
    }
  } catch (error) {
    deps.reservations.release(reservation);
    deps.metrics.upstreamErrors.inc({ status: "0" });
    if (clientGone) return;
    const timeout = error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.ConnectTimeoutError;
    return sendError(res, timeout ? Errors.upstreamTimeout() : Errors.upstreamUnavailable());
  }
  const headerId = upstream.headers["x-generation-id"];
  const generationHeader = typeof headerId === "string" ? headerId : null;
  let journaled: string | null = null;
  const journal = (generationId: string) => {
    journaled = generationId;
    deps.journal.open({
      generationId,
      organizationId: ctx.organization.id,
      userId: ctx.user.id,
      externalUserId: ctx.externalUserId,
      model: requestedModel ?? "unknown",
      markupBp: ctx.organization.markupBp,
      streamed,
      occurredAt,
    });
  };
  if (generationHeader !== null && upstream.statusCode < 400) journal(generationHeader);

  if (upstream.statusCode >= 400) {
    // Errors before the first token are plain JSON with a real status; nothing was generated.
    deps.metrics.upstreamErrors.inc({ status: String(upstream.statusCode) });
    let parsed: unknown = null;
    try {
      parsed = await upstream.body.json();
    } catch {
      /* not JSON: the mapped message says the status */
    }
    deps.reservations.release(reservation);
    const retryAfter = upstream.headers["retry-after"];
    return sendError(res, fromUpstream(upstream.statusCode, parsed, typeof retryAfter === "string" ? retryAfter : undefined));
  }

  if (!clientGone) {
    res.writeHead(upstream.statusCode, {
      ...forwardableHeaders(upstream.headers),
      ...(streamed ? { "x-accel-buffering": "no", "cache-control": "no-cache" } : {}),
    });
  }
  const observer = streamed ? createChatStreamObserver() : null;
  const collected: Buffer[] = [];
  let firstByteAt: number | null = null;
  let upstreamFailed = false;
  // Each chunk is teed and written as it arrives ('data' events: no promise per chunk); a client
  // that reads slowly pauses the upstream body until its socket drains.
  const answer = upstream.body;
  upstreamBody = answer;
  const resume = () => answer.resume();
  answer.on("data", (chunk: Buffer) => {
    firstByteAt ??= performance.now();
    if (observer) {
      observer.push(chunk);
      // No X-Generation-Id header: the first chunk names the generation.
      if (journaled === null && observer.summary.id !== null) journal(observer.summary.id);
    } else collected.push(chunk);
    if (clientGone) return; // a non-streamed answer read to its end for its cost
    if (!res.write(chunk)) {
      answer.pause();
      res.once("drain", resume);
    }
  });
  try {
    await finished(answer);
  } catch {
    upstreamFailed = !clientGone;
  }
  res.off("drain", resume);
  if (clientGone) answer.destroy();
  else if (upstreamFailed) res.destroy();
  else res.end();

  const outcome: Outcome = observer
    ? (() => {
        const s = observer.finish();
        return { generationId: s.id, model: s.model, provider: s.provider, usage: s.usage, costNano: s.costNano, failed: s.error !== null };
      })()
    : fromJsonBody(Buffer.concat(collected));
  // The journaled id is the one the event must close (the same id OpenRouter puts in the body).
  const generationId = journaled ?? outcome.generationId ?? generationHeader;
  const status: UsageEvent["status"] = clientGone ? "aborted" : outcome.failed ? "error" : outcome.usage && outcome.costNano !== null ? "ok" : "incomplete";
  const seconds = (ms: number) => ms / 1000;
  const ttfbMs = firstByteAt === null ? null : Math.round(firstByteAt - started);
  const latencyMs = Math.round(performance.now() - started);
  deps.metrics.latency.observe({ route, streamed: String(streamed) }, seconds(latencyMs));
  if (ttfbMs !== null) deps.metrics.ttfb.observe({ route, streamed: String(streamed) }, seconds(ttfbMs));

  if (!generationId) {
    // Nothing identifies a generation, so nothing can have been billed under it.
    deps.reservations.release(reservation);
    deps.logger.warn({ organizationId: ctx.organization.id, status }, "completion ended without a generation id");
    return;
  }
  const event: UsageEvent = {
    generationId,
    organizationId: ctx.organization.id,
    userId: ctx.user.id,
    externalUserId: ctx.externalUserId,
    model: outcome.model ?? requestedModel ?? "unknown",
    provider: outcome.provider,
    promptTokens: outcome.usage?.prompt_tokens ?? 0,
    completionTokens: outcome.usage?.completion_tokens ?? 0,
    reasoningTokens: outcome.usage?.completion_tokens_details?.reasoning_tokens ?? 0,
    cachedTokens: outcome.usage?.prompt_tokens_details?.cached_tokens ?? 0,
    rawCostNano: outcome.costNano ?? 0n,
    markupBp: ctx.organization.markupBp,
    status,
    streamed,
    latencyMs,
    ttfbMs,
    occurredAt,
  };
  deps.metrics.usageEvents.inc({ status });
  if (outcome.costNano === null) {
    // The stream ended without usage (abort, dropped upstream, mid-stream error): OpenRouter may
    // still have charged. Never bill zero when it did — ask /generation, off the request path.
    settleFromGeneration(deps, event, usedKey, reservation);
  } else {
    event.release = deps.reservations.consume(reservation, event);
    deps.recorder.record(event);
  }
}

function settleFromGeneration(deps: ProxyDeps, event: UsageEvent, key: string, reservation: Ticket): void {
  const task = (async () => {
    try {
      const generation = await deps.openrouter.getGeneration(event.generationId, { key });
      const g = generation as { total_cost?: number | null; native_tokens_prompt?: number | null; native_tokens_completion?: number | null; native_tokens_reasoning?: number | null; provider_name?: string | null; model?: string | null };
      event.rawCostNano = typeof g.total_cost === "number" ? usdToNano(g.total_cost) : 0n;
      event.promptTokens = g.native_tokens_prompt ?? event.promptTokens;
      event.completionTokens = g.native_tokens_completion ?? event.completionTokens;
      event.reasoningTokens = g.native_tokens_reasoning ?? event.reasoningTokens;
      event.provider ??= g.provider_name ?? null;
    } catch (error) {
      // Recorded as it is (status aborted/incomplete, cost 0); reconciliation corrects it later.
      deps.logger.warn({ generationId: event.generationId, err: { name: (error as Error).name } }, "generation lookup failed");
    }
    event.release = deps.reservations.consume(reservation, event);
    deps.recorder.record(event);
  })();
  deps.inflight.add(task);
  const forget = () => deps.inflight.delete(task);
  task.then(forget, forget);
}
