import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
// The API module alone: the package index loads @backstage/catalog-model,
// ~0.2–0.5 s of every CLI start.
// eslint-disable-next-line @backstage/no-forbidden-package-imports
import { MODEL_HUB_CLIENT_HEADER } from '@internal/plugin-model-hub-common/src/api/usage';
// eslint-disable-next-line @backstage/no-forbidden-package-imports
import { modelHubApiPaths } from '@internal/plugin-model-hub-common/src/api/paths';
// Only the transfer module: the package index would load the scanner and
// gauntlet too, slowing every CLI start.
// eslint-disable-next-line @backstage/no-forbidden-package-imports
import {
  readText,
  streamingRequest,
  TransferTransport,
} from '@internal/plugin-model-hub-node/src/transfer';
import { resolveToken } from './token';

/** Where the CLI finds the portal and how it authenticates. */
export interface PortalOptions {
  /** Back-end base URL, e.g. `http://localhost:7007`. */
  portal?: string;
}

/** An error from the portal, carrying the HTTP status and its message. */
export class PortalError extends Error {
  constructor(message: string, readonly status?: number) {
    super(message);
    this.name = 'PortalError';
  }
}

/**
 * A small HTTP client for the Model Hub API, used by `publish` and `pull`.
 * It streams bodies both ways, so model files are never held in memory.
 */
export class PortalClient {
  readonly baseUrl: string;
  readonly #token?: string;

  /**
   * Creates a client from options and the environment: the portal from
   * `MODEL_HUB_PORTAL_URL`, the personal access token as resolveToken finds it
   * (`MODEL_HUB_TOKEN`, `model-hub login`, a local portal's token file).
   */
  static fromOptions(opts: PortalOptions): PortalClient {
    const portal =
      opts.portal ??
      process.env.MODEL_HUB_PORTAL_URL ??
      'http://localhost:7007';
    return new PortalClient(portal, resolveToken(portal)?.token);
  }

  constructor(portal: string, token?: string) {
    this.baseUrl = `${portal.replace(/\/+$/, '')}/api/model-hub`;
    this.#token = token;
  }

  /** The API paths, relative to the plugin base URL. */
  get paths() {
    return modelHubApiPaths;
  }

  /** Sends a request; throws a PortalError with the server's message on non-2xx (except `allow`). */
  async request(
    path: string,
    init: RequestInit & { allow?: number[] } = {},
  ): Promise<Response> {
    const { allow = [], ...rest } = init;
    const headers = new Headers(rest.headers);
    if (this.#token) headers.set('authorization', `Bearer ${this.#token}`);
    // Usage metrics attribute pulls to the client that made them.
    headers.set(MODEL_HUB_CLIENT_HEADER, 'cli');
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        ...rest,
        headers,
        ...(rest.body && typeof rest.body !== 'string'
          ? { duplex: 'half' }
          : {}),
      } as RequestInit);
    } catch (e) {
      throw new PortalError(
        `cannot reach the portal at ${this.baseUrl}: ${
          (e as Error & { cause?: Error }).cause?.message ??
          (e as Error).message
        }`,
      );
    }
    if (!res.ok && !allow.includes(res.status)) {
      throw new PortalError(await describeError(res), res.status);
    }
    return res;
  }

  /**
   * Sends a request with Node's HTTP client, streaming `body` with
   * back-pressure, and returns the answer unread (never content-encoded);
   * throws a PortalError on non-2xx (except `allow`).
   */
  async send(
    path: string,
    init: {
      method?: string;
      headers?: Record<string, string>;
      body?: Readable;
      allow?: number[];
    } = {},
  ): Promise<IncomingMessage> {
    const headers: Record<string, string> = {
      ...init.headers,
      [MODEL_HUB_CLIENT_HEADER]: 'cli',
    };
    if (this.#token) headers.authorization = `Bearer ${this.#token}`;
    let res: IncomingMessage;
    try {
      res = await streamingRequest(`${this.baseUrl}${path}`, {
        method: init.method,
        headers,
        body: init.body,
      });
    } catch (e) {
      throw new PortalError(
        `cannot reach the portal at ${this.baseUrl}: ${(e as Error).message}`,
      );
    }
    const status = res.statusCode ?? 0;
    if ((status < 200 || status > 299) && !init.allow?.includes(status)) {
      const text = await readText(res).catch(() => '');
      throw new PortalError(
        describeAnswer(status, res.statusMessage ?? '', text),
        status,
      );
    }
    return res;
  }

  /** This client as the transport of the shared multipart upload. */
  transport(): TransferTransport {
    return {
      json: async <T>(method: string, path: string, body?: unknown) =>
        (await this.json<T>(path, { method, body })).body,
      stream: async <T>(
        method: string,
        path: string,
        headers: Record<string, string>,
        body: Readable,
        length?: number,
      ) => {
        try {
          const res = await this.send(path, {
            method,
            headers:
              length === undefined
                ? headers
                : { ...headers, 'content-length': String(length) },
            body,
          });
          return JSON.parse(await readText(res)) as T;
        } catch (e) {
          if (e instanceof PortalError && e.status === undefined) {
            throw new PortalError(
              `${e.message}; the upload was interrupted, run the same command again to resume it`,
            );
          }
          throw e;
        }
      },
    };
  }

  /** Sends JSON and parses a JSON answer. */
  async json<T>(
    path: string,
    init: { method?: string; body?: unknown; allow?: number[] } = {},
  ): Promise<{ status: number; body: T }> {
    const res = await this.request(path, {
      method: init.method ?? 'GET',
      allow: init.allow,
      headers:
        init.body === undefined ? {} : { 'content-type': 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    return { status: res.status, body: (await res.json()) as T };
  }
}

async function describeError(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  return describeAnswer(res.status, res.statusText, text);
}

function describeAnswer(
  status: number,
  statusText: string,
  text: string,
): string {
  let message = text;
  try {
    const parsed = JSON.parse(text);
    message = parsed?.error?.message ?? parsed?.message ?? text;
  } catch {
    // not JSON: keep the text
  }
  const hint =
    status === 401
      ? ' (create a personal access token on the portal page /model-hub/tokens, then run model-hub login or set MODEL_HUB_TOKEN)'
      : '';
  return `${status} ${statusText}: ${message || 'no details'}${hint}`;
}
