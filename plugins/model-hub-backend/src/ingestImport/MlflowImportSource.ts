import { InputError, NotAllowedError } from '@backstage/errors';
import {
  MlflowConnection,
  mlflowAuthHeaders,
} from '@internal/plugin-model-hub-node';
import {
  ImportFile,
  ImportPlan,
  ImportSource,
  MAX_IMPORT_FILES,
} from './ImportSource';
import { S3ImportFiles } from './S3ImportFiles';
import {
  bodyStream,
  sourceGet,
  sourceGetJson,
  SourceFetch,
} from './sourceHttp';

const ARTIFACTS = '/api/2.0/mlflow-artifacts/artifacts';
const MAX_DEPTH = 32;

interface ListArtifactsResponse {
  files?: Array<{
    path?: string;
    is_dir?: boolean;
    file_size?: number | string;
  }>;
}

/**
 * Imports MLflow model versions whose artifacts the tracking server serves
 * (`mlflow server --serve-artifacts`): `model-versions/get-download-uri`
 * gives the artifact URI; `mlflow-artifacts:` URIs (and http(s) URIs of the
 * same server's artifact route) are listed with
 * `GET /api/2.0/mlflow-artifacts/artifacts?path=` and each file downloaded
 * from `/api/2.0/mlflow-artifacts/artifacts/<path>`. Other stores (s3:,
 * gs:, wasbs:, dbfs:, file:) are refused with one line naming the scheme:
 * the hub does not hold credentials for them.
 */
export class MlflowImportSource implements ImportSource {
  private readonly source: string;
  private readonly base: string;
  private readonly headers: Record<string, string>;
  private readonly s3?: S3ImportFiles;

  constructor(
    connection: MlflowConnection,
    private readonly fetch?: SourceFetch,
  ) {
    this.source = `mlflow:${connection.sourceId}`;
    this.base = connection.baseUrl.replace(/\/+$/, '');
    this.headers = mlflowAuthHeaders(connection.auth);
    if (connection.s3) this.s3 = new S3ImportFiles(this.source, connection.s3);
  }

  async plan(name: string, version: string): Promise<ImportPlan> {
    const what = `version ${version} of ${name}`;
    const uri = new URL(
      `${this.base}/api/2.0/mlflow/model-versions/get-download-uri`,
    );
    uri.searchParams.set('name', name);
    uri.searchParams.set('version', version);
    const { artifact_uri: artifactUri } = await sourceGetJson<{
      artifact_uri?: string;
    }>({ ...this.request(`the download URI of ${what}`), url: uri.toString() });
    if (!artifactUri) {
      throw new InputError(`${this.source} gave no artifact URI for ${what}`);
    }
    const files: ImportFile[] = [];
    if (this.s3 && /^s3:/i.test(artifactUri)) {
      files.push(...(await this.s3.list(artifactUri, what)));
    } else {
      await this.walk(this.artifactPath(artifactUri, what), '', 0, files, what);
    }
    if (files.length === 0) {
      throw new InputError(
        `${this.source} lists no files under ${artifactUri} for ${what}; nothing to import`,
      );
    }
    return {
      description: `Imported from ${this.source} (${this.base}): ${what}, artifacts ${artifactUri}`,
      files,
    };
  }

  /** The artifact path relative to the server's artifact root, or a one-line refusal. */
  private artifactPath(artifactUri: string, what: string): string {
    let url: URL;
    try {
      url = new URL(artifactUri);
    } catch {
      throw new InputError(
        `${this.source} gave an artifact URI that is not a URI for ${what}: ${artifactUri}`,
      );
    }
    if (url.protocol === 'mlflow-artifacts:') {
      return trimSlashes(decodeURIComponent(url.pathname));
    }
    if (url.protocol === 'http:' || url.protocol === 'https:') {
      const base = new URL(this.base);
      const prefix = `${base.pathname.replace(/\/+$/, '')}${ARTIFACTS}/`;
      if (url.origin === base.origin && url.pathname.startsWith(prefix)) {
        return trimSlashes(
          decodeURIComponent(url.pathname.slice(prefix.length)),
        );
      }
      throw new NotAllowedError(
        `${what} of ${this.source} has its artifacts at ${url.origin}, not on the tracking server ${base.origin}; the hub only imports artifacts the tracking server serves`,
      );
    }
    throw new InputError(
      `${what} of ${this.source} has its artifacts in ${url.protocol.replace(
        /:$/,
        '',
      )} storage (${artifactUri}); the hub imports only artifacts the tracking server serves (mlflow-artifacts:, mlflow server --serve-artifacts)${
        url.protocol === 's3:'
          ? ' or an S3 bucket given in modelHub.ingestion.mlflow[].s3'
          : ''
      }`,
    );
  }

  private async walk(
    root: string,
    relative: string,
    depth: number,
    out: ImportFile[],
    what: string,
  ): Promise<void> {
    if (depth > MAX_DEPTH) {
      throw new InputError(
        `${what} of ${this.source} nests directories deeper than ${MAX_DEPTH}; not imported`,
      );
    }
    const dir = [root, relative].filter(Boolean).join('/');
    const list = new URL(`${this.base}${ARTIFACTS}`);
    list.searchParams.set('path', dir);
    const { files = [] } = await sourceGetJson<ListArtifactsResponse>({
      ...this.request(`the artifact listing of ${dir || '/'}`),
      url: list.toString(),
    });
    for (const entry of files) {
      // The server answers basenames; take the last segment of anything else.
      const name = (entry.path ?? '').split('/').pop() ?? '';
      if (name === '' || name === '.' || name === '..') {
        throw new InputError(
          `${this.source} listed an artifact named '${entry.path}' under ${dir}; not imported`,
        );
      }
      const path = relative ? `${relative}/${name}` : name;
      if (entry.is_dir) {
        await this.walk(root, path, depth + 1, out, what);
        continue;
      }
      if (out.length >= MAX_IMPORT_FILES) {
        throw new InputError(
          `${what} of ${this.source} has more than ${MAX_IMPORT_FILES} files; not imported`,
        );
      }
      const remote = [root, path].filter(Boolean).join('/');
      const size =
        entry.file_size === undefined ? undefined : Number(entry.file_size);
      out.push({
        path,
        size: Number.isSafeInteger(size) ? size : undefined,
        open: async signal =>
          bodyStream(
            await sourceGet({
              ...this.request(`the artifact ${remote}`),
              url: `${this.base}${ARTIFACTS}/${remote
                .split('/')
                .map(encodeURIComponent)
                .join('/')}`,
              signal,
            }),
          ),
      });
    }
  }

  private request(what: string) {
    return {
      source: this.source,
      headers: this.headers,
      what,
      fetch: this.fetch,
      url: '',
    };
  }
}

function trimSlashes(value: string): string {
  return value.replace(/^\/+|\/+$/g, '');
}
