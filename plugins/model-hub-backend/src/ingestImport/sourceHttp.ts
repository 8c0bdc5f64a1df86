import { Readable } from 'node:stream';
import { NotFoundError, ServiceUnavailableError } from '@backstage/errors';

/**
 * A 503 about a source, written for the caller: marked `expose` so the
 * hub's error boundary shows its one line instead of hiding it as internal.
 */
export function sourceUnavailable(message: string): ServiceUnavailableError {
  return Object.assign(new ServiceUnavailableError(message), { expose: true });
}

/** The `fetch` a source uses (the global one unless a test injects another). */
export type SourceFetch = typeof globalThis.fetch;

/** One request to an ingestion source, with one-line errors naming the source. */
export interface SourceRequest {
  /** The source, e.g. `mlflow:prod`, for messages. */
  source: string;
  url: string;
  headers?: Record<string, string>;
  /** What was asked for, for messages, e.g. `the files of acme/x`. */
  what: string;
  signal?: AbortSignal;
  fetch?: SourceFetch;
}

/**
 * Sends a GET to a source and returns the response when it is 2xx. An
 * unreachable source, a refusal (401/403) or another failure becomes one
 * line naming the source and what was asked; 404 is a NotFoundError.
 * Redirects are followed (a Hugging Face LFS file lives on a CDN); the
 * Authorization header is not sent to another origin (fetch drops it).
 */
export async function sourceGet(request: SourceRequest): Promise<Response> {
  const fetchImpl = request.fetch ?? globalThis.fetch;
  let response: Response;
  try {
    response = await fetchImpl(request.url, {
      headers: { 'accept-encoding': 'identity', ...request.headers },
      signal: request.signal,
      redirect: 'follow',
    });
  } catch (e) {
    const error = e as Error & { cause?: { code?: string; message?: string } };
    const reason = error.cause?.code ?? error.cause?.message ?? error.message;
    throw sourceUnavailable(
      `Could not reach ${request.source} at ${
        new URL(request.url).origin
      } (${reason}) while reading ${
        request.what
      }; check the source's URL in modelHub.ingestion and that it is up`,
    );
  }
  if (response.ok) return response;
  await response.body?.cancel().catch(() => {});
  if (response.status === 404) {
    throw new NotFoundError(
      `${request.source} has no ${request.what} (404 from ${
        new URL(request.url).origin
      })`,
    );
  }
  if (response.status === 401 || response.status === 403) {
    throw sourceUnavailable(
      `${request.source} refused the hub's credentials (${response.status}) for ${request.what}; check the token in modelHub.ingestion`,
    );
  }
  throw sourceUnavailable(
    `${request.source} answered ${response.status} for ${request.what}; try again later`,
  );
}

/** GETs JSON from a source (see {@link sourceGet}). */
export async function sourceGetJson<T>(request: SourceRequest): Promise<T> {
  const response = await sourceGet(request);
  try {
    return (await response.json()) as T;
  } catch {
    throw sourceUnavailable(
      `${request.source} answered ${request.what} with something that is not JSON`,
    );
  }
}

/** The body of a source response as a Node stream (pulled as the store reads it). */
export function bodyStream(response: Response): Readable {
  if (!response.body) return Readable.from([]);
  return Readable.fromWeb(
    response.body as unknown as import('node:stream/web').ReadableStream,
  );
}
