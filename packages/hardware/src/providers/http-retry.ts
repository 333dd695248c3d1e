/** How transient failures (429, 5xx, network errors) are retried. */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  readonly maxRetries: number;
  /** First backoff; doubles each retry (with up to 25% random jitter). */
  readonly baseDelayMs: number;
  /** Longest wait between attempts, Retry-After included. */
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 6, baseDelayMs: 1000, maxDelayMs: 120_000 };

/** Status codes worth retrying: rate limiting and server or gateway failures (as qiskit-ibm-runtime). */
export function isRetryable(status: number): boolean {
  return status === 429 || status === 500 || status === 502 || status === 503 || status === 504 || (status >= 520 && status <= 524);
}

/** Milliseconds to wait before retry number `retry` (0-based), honouring a Retry-After header. */
export function retryDelayMs(policy: RetryPolicy, retry: number, retryAfter: string | null, now: number): number {
  const backoff = policy.baseDelayMs * 2 ** retry * (1 + 0.25 * Math.random());
  const told = parseRetryAfter(retryAfter, now);
  return Math.min(policy.maxDelayMs, Math.max(backoff, told ?? 0));
}

/** Retry-After as delay-seconds or an HTTP date, in milliseconds; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null || value.trim() === "") return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** A sleep that an AbortSignal cuts short (rejecting with the signal's reason). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
