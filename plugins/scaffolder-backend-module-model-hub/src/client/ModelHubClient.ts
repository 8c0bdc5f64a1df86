import { Readable } from 'node:stream';
import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import {
  ConflictError,
  CustomErrorBase,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import {
  CreateModelVersionRequest,
  DeprecateModelRequest,
  MODEL_HUB_SHA256_HEADER,
  ModelDeprecation,
  ModelGauntletResponse,
  MODEL_HUB_CLIENT_HEADER,
  modelHubApiPaths,
  ModelVersion,
  ModelVersionFile,
  PromotionRequest,
  RegisteredModel,
  RegisterModelResponse,
  ModelEntityV1alpha1,
} from '@internal/plugin-model-hub-common';
import {
  readText,
  streamingRequest,
  TransferTransport,
} from '@internal/plugin-model-hub-node';

/** The hub's plugin id: the target of on-behalf-of tokens and discovery. */
export const MODEL_HUB_PLUGIN_ID = 'model-hub';

/** A hub answer that maps to no more specific error class (e.g. 413, 5xx). */
export class ModelHubResponseError extends CustomErrorBase {
  name = 'ModelHubResponseError' as const;

  constructor(message: string, readonly statusCode: number) {
    super(message);
  }
}

/** Dependencies of {@link ModelHubClient}. */
export interface ModelHubClientOptions {
  discovery: DiscoveryService;
  auth: AuthService;
}

/** Every call is made on behalf of these credentials (the template's initiator). */
export interface ModelHubCallOptions {
  credentials: BackstageCredentials;
}

/** A file body: bytes in memory or a stream (sent chunked). */
export type ModelHubUploadBody = Buffer | Readable;

/**
 * A small typed client of the Model Hub HTTP API for the scaffolder actions.
 * Each request carries a plugin-to-plugin token issued on behalf of the
 * caller's credentials, so the hub applies its permission rules to the user
 * who runs the template. Hub errors become `@backstage/errors` classes that
 * keep the hub's message.
 */
export class ModelHubClient {
  readonly #discovery: DiscoveryService;
  readonly #auth: AuthService;

  constructor(options: ModelHubClientOptions) {
    this.#discovery = options.discovery;
    this.#auth = options.auth;
  }

  /** `GET .../versions/:version`; `undefined` when the model has no such version. */
  async getVersion(
    entityRef: string,
    version: string,
    options: ModelHubCallOptions,
  ): Promise<ModelVersion | undefined> {
    const res = await this.#request(
      modelHubApiPaths.version(entityRef, version),
      { method: 'GET' },
      options,
      `read version ${version} of ${entityRef}`,
      [404],
    );
    if (res.status === 404) {
      await res.body?.cancel();
      return undefined;
    }
    return (await readJson(res)) as ModelVersion;
  }

  /** `POST .../versions`: creates a draft (or returns the existing draft). */
  async createVersion(
    entityRef: string,
    body: CreateModelVersionRequest,
    options: ModelHubCallOptions,
  ): Promise<{ created: boolean; version: ModelVersion }> {
    const res = await this.#json(
      modelHubApiPaths.versions(entityRef),
      'POST',
      body,
      options,
      `create version ${body.version} of ${entityRef}`,
    );
    return {
      created: res.status === 201,
      version: (await readJson(res)) as ModelVersion,
    };
  }

  /** `PUT .../files/<path>`: streams one file into a draft version. */
  async uploadFile(
    entityRef: string,
    version: string,
    path: string,
    body: ModelHubUploadBody,
    options: ModelHubCallOptions & { sha256?: string; size?: number },
  ): Promise<ModelVersionFile> {
    const headers: Record<string, string> = {
      'content-type': 'application/octet-stream',
    };
    if (options.sha256) headers[MODEL_HUB_SHA256_HEADER] = options.sha256;
    if (options.size !== undefined) {
      headers['content-length'] = String(options.size);
    }
    const what = `upload ${path} to version ${version} of ${entityRef}`;
    const filePath = modelHubApiPaths.file(entityRef, version, path);
    if (!Buffer.isBuffer(body)) {
      // Node's client pipes with back-pressure (Readable.toWeb into fetch
      // buffers the whole stream).
      return this.transport(what, options).stream<ModelVersionFile>(
        'PUT',
        filePath,
        headers,
        body,
        options.size,
      );
    }
    const res = await this.#request(
      filePath,
      { method: 'PUT', headers, body },
      options,
      what,
    );
    return (await readJson(res)) as ModelVersionFile;
  }

  /**
   * The SHA-256s among `sha256` that the hub holds in versions the caller
   * may read, so their bytes need not be sent again.
   */
  async presentBlobs(
    sha256: string[],
    options: ModelHubCallOptions,
  ): Promise<Set<string>> {
    const res = await this.#json(
      '/v1/blobs/exists',
      'POST',
      { sha256 },
      options,
      'ask the hub which contents it holds',
    );
    return new Set(((await readJson(res)) as { present: string[] }).present);
  }

  /** Adds content the hub already holds to a draft under `path`, by SHA-256. */
  async addFileByContent(
    entityRef: string,
    version: string,
    path: string,
    sha256: string,
    options: ModelHubCallOptions,
  ): Promise<ModelVersionFile> {
    const res = await this.#json(
      `${modelHubApiPaths.version(entityRef, version)}/files-by-content`,
      'POST',
      { path, sha256 },
      options,
      `add ${path} to version ${version} of ${entityRef} by content`,
    );
    return (await readJson(res)) as ModelVersionFile;
  }

  /**
   * This client, on behalf of the caller, as the transport of the shared
   * streaming and multipart uploads (`@internal/plugin-model-hub-node`).
   */
  transport(what: string, options: ModelHubCallOptions): TransferTransport {
    return {
      json: async <T>(method: string, path: string, body?: unknown) => {
        const res =
          body === undefined
            ? await this.#request(path, { method }, options, what)
            : await this.#json(path, method, body, options, what);
        return (await readJson(res)) as T;
      },
      stream: async <T>(
        method: string,
        path: string,
        headers: Record<string, string>,
        body: Readable,
        length?: number,
      ) => {
        const baseUrl = await this.#discovery.getBaseUrl(MODEL_HUB_PLUGIN_ID);
        const { token } = await this.#auth.getPluginRequestToken({
          onBehalfOf: options.credentials,
          targetPluginId: MODEL_HUB_PLUGIN_ID,
        });
        let res;
        try {
          res = await streamingRequest(`${baseUrl}${path}`, {
            method,
            headers: {
              ...headers,
              ...(length === undefined
                ? {}
                : { 'content-length': String(length) }),
              ...(token ? { authorization: `Bearer ${token}` } : {}),
            },
            body,
          });
        } catch (e) {
          throw new ModelHubResponseError(
            `Could not ${what}: the Model Hub at ${baseUrl} did not answer (${
              (e as Error).message
            })`,
            502,
          );
        }
        const text = await readText(res);
        const status = res.statusCode ?? 0;
        if (status < 200 || status > 299) {
          throw errorFor(status, res.statusMessage ?? '', text, what);
        }
        return JSON.parse(text) as T;
      },
    };
  }

  /** `POST .../seal`: makes the version immutable; the hub starts the gauntlet. */
  async sealVersion(
    entityRef: string,
    version: string,
    options: ModelHubCallOptions,
  ): Promise<ModelVersion> {
    const res = await this.#request(
      modelHubApiPaths.seal(entityRef, version),
      { method: 'POST' },
      options,
      `seal version ${version} of ${entityRef}`,
    );
    return (await readJson(res)) as ModelVersion;
  }

  /** `PUT .../aliases/:alias`: points an alias at a version. */
  async setAlias(
    entityRef: string,
    alias: string,
    version: string,
    options: ModelHubCallOptions,
  ): Promise<void> {
    const res = await this.#json(
      modelHubApiPaths.alias(entityRef, alias),
      'PUT',
      { version },
      options,
      `point alias ${alias} of ${entityRef} at ${version}`,
    );
    await res.body?.cancel();
  }

  /** `GET .../gauntlet`: the gauntlet state and earned tier of the model. */
  async getGauntlet(
    entityRef: string,
    options: ModelHubCallOptions,
  ): Promise<ModelGauntletResponse> {
    const res = await this.#request(
      modelHubApiPaths.gauntlet(entityRef),
      { method: 'GET' },
      options,
      `read the gauntlet of ${entityRef}`,
    );
    return (await readJson(res)) as ModelGauntletResponse;
  }

  /** `POST .../promotion-requests`: asks governance to grant a tier. */
  async requestPromotion(
    entityRef: string,
    body: { tier: string; comment?: string },
    options: ModelHubCallOptions,
  ): Promise<PromotionRequest> {
    const res = await this.#json(
      modelHubApiPaths.promotionRequests(entityRef),
      'POST',
      body,
      options,
      `request promotion of ${entityRef} to ${body.tier}`,
    );
    return (await readJson(res)) as PromotionRequest;
  }

  /** `POST /v1/registered-models`: registers (or updates) a model's birth certificate. */
  async registerModel(
    entity: ModelEntityV1alpha1,
    options: ModelHubCallOptions,
  ): Promise<RegisterModelResponse> {
    const res = await this.#json(
      modelHubApiPaths.registeredModels(),
      'POST',
      { entity },
      options,
      `register model ${entity.metadata.namespace ?? 'default'}/${
        entity.metadata.name
      }`,
    );
    return (await readJson(res)) as RegisterModelResponse;
  }

  /** `GET /v1/registered-models/:ns/:name`; `undefined` when the hub did not register it. */
  async getRegisteredModel(
    entityRef: string,
    options: ModelHubCallOptions,
  ): Promise<RegisteredModel | undefined> {
    const res = await this.#request(
      modelHubApiPaths.registeredModel(entityRef),
      { method: 'GET' },
      options,
      `read the registration of ${entityRef}`,
      [404],
    );
    if (res.status === 404) {
      await res.body?.cancel();
      return undefined;
    }
    return (await readJson(res)) as RegisteredModel;
  }

  /** `PUT .../deprecation`: deprecates a model, optionally naming its successor. */
  async deprecateModel(
    entityRef: string,
    body: DeprecateModelRequest,
    options: ModelHubCallOptions,
  ): Promise<ModelDeprecation> {
    const res = await this.#json(
      modelHubApiPaths.deprecation(entityRef),
      'PUT',
      body,
      options,
      `deprecate ${entityRef}`,
    );
    return (await readJson(res)) as ModelDeprecation;
  }

  async #json(
    path: string,
    method: string,
    body: unknown,
    options: ModelHubCallOptions,
    what: string,
  ): Promise<Response> {
    return this.#request(
      path,
      {
        method,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      },
      options,
      what,
    );
  }

  async #request(
    path: string,
    init: RequestInit,
    options: ModelHubCallOptions,
    what: string,
    allow: number[] = [],
  ): Promise<Response> {
    const baseUrl = await this.#discovery.getBaseUrl(MODEL_HUB_PLUGIN_ID);
    const { token } = await this.#auth.getPluginRequestToken({
      onBehalfOf: options.credentials,
      targetPluginId: MODEL_HUB_PLUGIN_ID,
    });
    const headers = new Headers(init.headers);
    if (token) headers.set('authorization', `Bearer ${token}`);
    headers.set(MODEL_HUB_CLIENT_HEADER, 'scaffolder');
    let res: Response;
    try {
      res = await fetch(`${baseUrl}${path}`, { ...init, headers });
    } catch (e) {
      const cause = (e as Error & { cause?: Error }).cause;
      throw new ModelHubResponseError(
        `Could not ${what}: the Model Hub at ${baseUrl} did not answer (${
          cause?.message ?? (e as Error).message
        })`,
        502,
      );
    }
    if (res.ok || allow.includes(res.status)) {
      return res;
    }
    throw await toError(res, what);
  }
}

/**
 * Parses a JSON body with this module's JSON, so step outputs built from it
 * are plain objects and arrays of this realm, as the scaffolder's template
 * engine requires (fetch's own `json()` may build them in another realm).
 */
async function readJson(res: Response): Promise<unknown> {
  return JSON.parse(await res.text());
}

/** Turns a failed hub response into an error class that keeps the hub's message. */
async function toError(res: Response, what: string): Promise<Error> {
  const text = await res.text().catch(() => '');
  return errorFor(res.status, res.statusText, text, what);
}

function errorFor(
  status: number,
  statusText: string,
  text: string,
  what: string,
): Error {
  let detail = text.trim();
  try {
    const parsed = JSON.parse(text) as {
      error?: { message?: string };
      message?: string;
    };
    detail = parsed.error?.message ?? parsed.message ?? detail;
  } catch {
    // Not JSON: keep the text as it is.
  }
  const message = `Could not ${what}: ${detail || `${status} ${statusText}`}`;
  switch (status) {
    case 400:
      return new InputError(message);
    case 401:
    case 403:
      return new NotAllowedError(message);
    case 404:
      return new NotFoundError(message);
    case 409:
      return new ConflictError(message);
    default:
      return new ModelHubResponseError(message, status);
  }
}
