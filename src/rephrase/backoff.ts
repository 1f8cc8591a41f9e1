// Retry timing: exponential backoff with jitter, and the HTTP Retry-After header (RFC 9110
// section 10.2.3: delay-seconds or an HTTP-date), plus an abortable sleep.

export interface BackoffPolicy {
  /** First retry waits about this long (ms); each further retry doubles it. */
  baseDelayMs: number;
  /** Upper bound for one computed backoff delay (ms). */
  maxDelayMs: number;
  /** Upper bound for a server-requested Retry-After delay (ms). */
  maxRetryAfterMs: number;
}

/**
 * Delay before retry number `attempt` (0 = first retry): "equal jitter", half fixed and half
 * random, so concurrent workers spread out yet every delay is at least half the nominal one.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const nominal = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return nominal / 2 + random() * (nominal / 2);
}

/** Milliseconds to wait per a Retry-After value, or undefined if absent or unparsable. */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value == null) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** The delay for a retry: the server's Retry-After when it sent one (capped), else backoff. */
export function retryDelay(attempt: number, retryAfterMs: number | undefined, policy: BackoffPolicy, random?: () => number): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxRetryAfterMs);
  return backoffDelay(attempt, policy, random);
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
