// Who is calling, resolved through internal.resolveContext and cached in-process for
// MAI_PROXY_IDENTITY_TTL_MS (default 30 s): a revoked token or a deactivated organisation takes
// effect within that time. Concurrent misses for one token share one API call; refusals are
// cached briefly too, so a wrong token cannot hammer the API.
import { createHash } from "node:crypto";
import { TRPCClientError } from "@trpc/client";
import type { ApiClient, ResolvedContext } from "./api-client";
import { Errors, type ProxyError } from "./errors";

const NEGATIVE_TTL_MS = 5_000;
const MAX_ENTRIES = 50_000;

type Outcome = { ok: true; context: ResolvedContext } | { ok: false; error: ProxyError };

export interface IdentityResolver {
  resolve(authorization: string | undefined): Promise<Outcome>;
  /** Forget a token (tests; an admin action could call this in the future). */
  evict(token: string): void;
  size(): number;
}

const digest = (token: string) => createHash("sha256").update(token).digest("hex");

export function bearer(header: string | undefined): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return m?.[1] ?? null;
}

export function createIdentityResolver(api: ApiClient, options: { ttlMs: number; now?: () => number }): IdentityResolver {
  const now = options.now ?? Date.now;
  const cache = new Map<string, { outcome: Outcome; expires: number }>();
  const inflight = new Map<string, Promise<Outcome>>();

  async function lookup(token: string): Promise<{ outcome: Outcome; cacheable: boolean }> {
    try {
      return { outcome: { ok: true, context: await api.internal.resolveContext.query({ token }) }, cacheable: true };
    } catch (error) {
      const code = error instanceof TRPCClientError ? (error.data as { code?: string } | undefined)?.code : undefined;
      if (code === "UNAUTHORIZED" || code === "BAD_REQUEST") return { outcome: { ok: false, error: Errors.invalidAuth() }, cacheable: true };
      if (code === "FORBIDDEN") return { outcome: { ok: false, error: Errors.notMapped() }, cacheable: true };
      // The API is down or failing: not the caller's fault, and not cached.
      return { outcome: { ok: false, error: Errors.apiUnavailable() }, cacheable: false };
    }
  }

  return {
    async resolve(authorization) {
      const token = bearer(authorization);
      if (!token) return { ok: false, error: Errors.missingAuth() };
      if (!/^mai_[0-9a-f]{48}$/.test(token)) return { ok: false, error: Errors.invalidAuth() };
      const key = digest(token);
      const hit = cache.get(key);
      if (hit && hit.expires > now()) return hit.outcome;
      const pending = inflight.get(key);
      if (pending) return pending;
      const promise = lookup(token).then(({ outcome, cacheable }) => {
        inflight.delete(key);
        if (cacheable && options.ttlMs > 0) {
          if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!);
          cache.set(key, { outcome, expires: now() + (outcome.ok ? options.ttlMs : Math.min(NEGATIVE_TTL_MS, options.ttlMs)) });
        }
        return outcome;
      });
      inflight.set(key, promise);
      return promise;
    },
    evict(token) {
      cache.delete(digest(token));
    },
    size: () => cache.size,
  };
}
