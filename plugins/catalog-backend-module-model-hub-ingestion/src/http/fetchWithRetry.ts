/**
 * HTTP for the ingestion providers: JSON GETs with retries and backoff on
 * 429 and 5xx (honouring `Retry-After` and the `RateLimit` reset), and a
 * distinct error for 401/403 so a provider can mark its source degraded
 * instead of treating the source as empty.
 */

/** A source refused our credentials (401/403): the source is degraded, nothing may be deleted or deprecated. */
export class SourceAuthError extends Error {
  readonly status: number;
  constructor(url: string, status: number) {
    super(
      `${status} from ${redactUrl(
        url,
      )}: the credentials were refused; check the token or password in the source's config`,
    );
    this.name = 'SourceAuthError';
    this.status = status;
  }
}

/** A source answered an error that retrying did not fix (or that must not be retried). */
export class SourceRequestError extends Error {
  readonly status?: number;
  constructor(message: string, status?: number) {
    super(message);
    this.name = 'SourceRequestError';
    this.status = status;
  }
}

/** Options of {@link fetchJsonWithRetry}. */
export interface RetryOptions {
  /** The fetch implementation; default the global `fetch`. */
  fetch?: typeof globalThis.fetch;
  /** Headers sent with every request (authorization). */
  headers?: Record<string, string>;
  /** Retries after the first attempt; default 4. */
  retries?: number;
  /** First backoff delay; doubles each retry; default 500 ms. */
  baseDelayMs?: number;
  /** Upper bound of any single wait, including a server's `Retry-After`; default 60 s. */
  maxDelayMs?: number;
  /** Timeout of one attempt; default 30 s. */
  timeoutMs?: number;
  /** How to wait; tests pass a recorder. */
  sleep?: (ms: number) => Promise<void>;
  /** Clock used to read HTTP-date `Retry-After` values; default `Date.now`. */
  now?: () => number;
}

/** Removes credentials and the query from a URL for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return `${u.origin}${u.pathname}`;
  } catch {
    return '<invalid url>';
  }
}

/**
 * How long the server asks us to wait, in ms, from `Retry-After` (seconds or
 * an HTTP date), the IETF `RateLimit` header (`t=<seconds>`), or
 * `X-RateLimit-Reset`/`RateLimit-Reset` (seconds); `undefined` when it does not say.
 */
export function serverRequestedDelayMs(
  headers: Headers,
  now: number,
): number | undefined {
  const retryAfter = headers.get('retry-after')?.trim();
  if (retryAfter) {
    if (/^\d+(\.\d+)?$/.test(retryAfter)) {
      return Number(retryAfter) * 1000;
    }
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) {
      return Math.max(0, date - now);
    }
  }
  const rateLimit = headers.get('ratelimit');
  const t = rateLimit?.match(/(?:^|[;,\s])t=(\d+)/);
  if (t) {
    return Number(t[1]) * 1000;
  }
  const reset =
    headers.get('ratelimit-reset') ?? headers.get('x-ratelimit-reset');
  if (reset && /^\d+$/.test(reset.trim())) {
    const n = Number(reset.trim());
    // Some servers send an epoch (seconds) rather than a delta.
    return n > 1e9 ? Math.max(0, n * 1000 - now) : n * 1000;
  }
  return undefined;
}

/** Drops a body we will not read, without waiting (some bodies never settle a cancel). */
function discard(res: Response): void {
  res.body?.cancel().catch(() => undefined);
}

function isRetryable(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599);
}

/**
 * GETs `url` and returns the response once it is 2xx, retrying 429/5xx and
 * network failures with exponential backoff (or the server's requested
 * delay, capped). 401/403 throw {@link SourceAuthError} at once; other 4xx
 * throw {@link SourceRequestError} at once.
 */
export async function fetchWithRetry(
  url: string,
  options: RetryOptions = {},
): Promise<Response> {
  const fetchImpl = options.fetch ?? ((...args) => fetch(...args));
  const retries = options.retries ?? 4;
  const baseDelayMs = options.baseDelayMs ?? 500;
  const maxDelayMs = options.maxDelayMs ?? 60_000;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const sleep =
    options.sleep ??
    ((ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms)));
  const now = options.now ?? Date.now;

  let lastProblem = '';
  for (let attempt = 0; ; attempt++) {
    let res: Response | undefined;
    try {
      res = await fetchImpl(url, {
        headers: { accept: 'application/json', ...options.headers },
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'follow',
      });
    } catch (error) {
      lastProblem = `could not reach ${redactUrl(url)}: ${
        (error as Error)?.message ?? String(error)
      }`;
    }
    if (res) {
      if (res.ok) return res;
      if (res.status === 401 || res.status === 403) {
        discard(res);
        throw new SourceAuthError(url, res.status);
      }
      if (!isRetryable(res.status)) {
        discard(res);
        throw new SourceRequestError(
          `${res.status} from ${redactUrl(url)}; check the source's baseUrl`,
          res.status,
        );
      }
      lastProblem = `${res.status} from ${redactUrl(url)}`;
    }
    if (attempt >= retries) {
      throw new SourceRequestError(
        `${lastProblem} (gave up after ${attempt + 1} attempts)`,
        res?.status,
      );
    }
    const backoff = baseDelayMs * 2 ** attempt;
    const requested = res
      ? serverRequestedDelayMs(res.headers, now())
      : undefined;
    if (res) discard(res);
    await sleep(Math.min(maxDelayMs, Math.max(backoff, requested ?? 0)));
  }
}

/** {@link fetchWithRetry} and parse the body as JSON; a body that is not JSON is a {@link SourceRequestError}. */
export async function fetchJsonWithRetry<T>(
  url: string,
  options: RetryOptions = {},
): Promise<{ body: T; res: Response }> {
  const res = await fetchWithRetry(url, options);
  const text = await res.text();
  try {
    return { body: JSON.parse(text) as T, res };
  } catch {
    throw new SourceRequestError(
      `${redactUrl(url)} did not answer JSON; check the source's baseUrl`,
    );
  }
}
