// Failed-login throttling, per account and per client IP, in memory: a sliding window of recent
// failures. In-process state is enough for one API instance; several instances each enforce their
// own window (a shared store would be the upgrade path, documented in the README).
export interface LoginThrottle {
  /** Milliseconds until the next attempt is allowed for this account or IP; 0 when allowed. */
  retryAfterMs(account: string, ip: string, now: number): number;
  recordFailure(account: string, ip: string, now: number): void;
  recordSuccess(account: string): void;
}

export interface ThrottleOptions {
  windowMs?: number;
  maxPerAccount?: number;
  maxPerIp?: number;
}

export function createLoginThrottle(options: ThrottleOptions = {}): LoginThrottle {
  const windowMs = options.windowMs ?? 15 * 60_000;
  const maxPerAccount = options.maxPerAccount ?? 5;
  const maxPerIp = options.maxPerIp ?? 20;
  const failures = new Map<string, number[]>();

  const recent = (key: string, now: number) => {
    const list = (failures.get(key) ?? []).filter((t) => now - t < windowMs);
    if (list.length) failures.set(key, list);
    else failures.delete(key);
    return list;
  };
  const wait = (key: string, max: number, now: number) => {
    const list = recent(key, now);
    return list.length >= max ? list[list.length - max]! + windowMs - now : 0;
  };

  return {
    retryAfterMs(account, ip, now) {
      return Math.max(wait(`a:${account}`, maxPerAccount, now), wait(`i:${ip}`, maxPerIp, now));
    },
    recordFailure(account, ip, now) {
      for (const key of [`a:${account}`, `i:${ip}`]) failures.set(key, [...recent(key, now), now]);
    },
    recordSuccess(account) {
      failures.delete(`a:${account}`);
    },
  };
}
