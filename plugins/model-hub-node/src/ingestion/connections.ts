import { Config } from '@backstage/config';
import { MlflowS3Access, readMlflowS3Access } from './s3Access';

/** How Model Hub authenticates to an MLflow tracking server. */
export type MlflowAuth =
  | { type: 'none' }
  | { type: 'basic'; username: string; password: string }
  | { type: 'bearer'; token: string };

/** Where an MLflow source lives and how to reach it (`modelHub.ingestion.mlflow[]`). */
export interface MlflowConnection {
  kind: 'mlflow';
  /** The slug `id`; the source is named `mlflow:<id>` in entity annotations. */
  sourceId: string;
  baseUrl: string;
  auth: MlflowAuth;
  /** Read access to the buckets of `s3://` artifact URIs, when configured. */
  s3?: MlflowS3Access;
}

/** Where a Hugging Face source lives and its token (`modelHub.ingestion.huggingFace`). */
export interface HuggingFaceConnection {
  kind: 'huggingface';
  /** The slug `id` (default `hf`); the source is named `huggingface:<id>`. */
  sourceId: string;
  endpoint: string;
  token?: string;
}

/** A configured ingestion source, as both the catalog module and the hub backend read it. */
export type IngestionConnection = MlflowConnection | HuggingFaceConnection;

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Reads the connection part of one `modelHub.ingestion.mlflow[]` entry; throws one line naming the key. */
export function readMlflowConnection(config: Config): MlflowConnection {
  const id = config.getString('id');
  if (!SLUG.test(id) || id.length > 20) {
    throw new Error(
      `modelHub.ingestion.mlflow[].id "${id}" must be a short lowercase slug (a-z, 0-9, -), at most 20 characters`,
    );
  }
  const baseUrl = config.getString('baseUrl');
  if (!isHttpUrl(baseUrl)) {
    throw new Error(
      `modelHub.ingestion.mlflow[${id}].baseUrl must be an http(s) URL, got "${baseUrl}"`,
    );
  }
  const authType = config.getOptionalString('auth.type') ?? 'none';
  let auth: MlflowAuth;
  if (authType === 'none') auth = { type: 'none' };
  else if (authType === 'basic') {
    auth = {
      type: 'basic',
      username: config.getString('auth.username'),
      password: config.getString('auth.password'),
    };
  } else if (authType === 'bearer') {
    auth = { type: 'bearer', token: config.getString('auth.token') };
  } else {
    throw new Error(
      `modelHub.ingestion.mlflow[${id}].auth.type must be none, basic or bearer, got "${authType}"`,
    );
  }
  const s3 = readMlflowS3Access(config, id);
  return { kind: 'mlflow', sourceId: id, baseUrl, auth, ...(s3 && { s3 }) };
}

/** Reads the connection part of `modelHub.ingestion.huggingFace`; the token falls back to `HF_TOKEN`. */
export function readHuggingFaceConnection(
  config: Config,
  env: NodeJS.ProcessEnv = process.env,
): HuggingFaceConnection {
  const sourceId = config.getOptionalString('id') ?? 'hf';
  if (!SLUG.test(sourceId) || sourceId.length > 20) {
    throw new Error(
      `modelHub.ingestion.huggingFace.id "${sourceId}" must be a short lowercase slug`,
    );
  }
  const endpoint =
    config.getOptionalString('endpoint') ?? 'https://huggingface.co';
  if (!isHttpUrl(endpoint)) {
    throw new Error(
      `modelHub.ingestion.huggingFace.endpoint must be an http(s) URL, got "${endpoint}"`,
    );
  }
  return {
    kind: 'huggingface',
    sourceId,
    endpoint,
    token: config.getOptionalString('token') ?? (env.HF_TOKEN || undefined),
  };
}

/**
 * Every enabled ingestion source in `modelHub.ingestion`, keyed by the name
 * its entities carry in `modelhub.io/ingestion-source` (`mlflow:<id>`,
 * `huggingface:<id>`). The demo source is not included: it lives only
 * inside the catalog module.
 */
export function readIngestionConnections(
  config: Config,
  env: NodeJS.ProcessEnv = process.env,
): Map<string, IngestionConnection> {
  const out = new Map<string, IngestionConnection>();
  for (const c of config.getOptionalConfigArray('modelHub.ingestion.mlflow') ??
    []) {
    if (c.getOptionalBoolean('enabled') === false) continue;
    const mlflow = readMlflowConnection(c);
    out.set(`mlflow:${mlflow.sourceId}`, mlflow);
  }
  const hf = config.getOptionalConfig('modelHub.ingestion.huggingFace');
  if (hf && hf.getOptionalBoolean('enabled') !== false) {
    const conn = readHuggingFaceConnection(hf, env);
    out.set(`huggingface:${conn.sourceId}`, conn);
  }
  return out;
}

/** The `Authorization` header for an MLflow server, if any. */
export function mlflowAuthHeaders(auth?: MlflowAuth): Record<string, string> {
  if (!auth || auth.type === 'none') return {};
  if (auth.type === 'basic') {
    const value = Buffer.from(`${auth.username}:${auth.password}`).toString(
      'base64',
    );
    return { authorization: `Basic ${value}` };
  }
  return { authorization: `Bearer ${auth.token}` };
}

function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}
