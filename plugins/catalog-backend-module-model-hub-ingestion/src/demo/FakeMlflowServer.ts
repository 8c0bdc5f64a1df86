import http from 'node:http';
import { AddressInfo } from 'node:net';
import { MlflowModelVersion, MlflowRegisteredModel } from '../mlflow/types';

/** The artifact proxy routes of `mlflow server --serve-artifacts`. */
const ARTIFACTS = '/api/2.0/mlflow-artifacts/artifacts';

/** The registry a {@link FakeMlflowServer} serves; mutate it to change upstream. */
export interface FakeMlflowRegistry {
  models: MlflowRegisteredModel[];
  versions: MlflowModelVersion[];
  /**
   * Artifact files served by the proxied artifact routes, keyed by their path
   * under the server's artifact root (`1/<run>/artifacts/model/MLmodel`); a
   * version whose `source` is `mlflow-artifacts:/1/<run>/artifacts/model`
   * downloads the files under that prefix.
   */
  artifacts?: Record<string, string | Uint8Array>;
  /** How the last page of a search says so: no `next_page_token` (default) or an empty one. */
  lastPage?: 'omit' | 'empty';
  /** The server's own page limit, below `max_results` (some servers cap pages). */
  pageSize?: number;
}

/** What {@link answerMlflowRequest} answers: JSON, or the bytes of an artifact. */
export type FakeMlflowAnswer =
  | { status: number; json: unknown }
  | { status: 200; bytes: string | Uint8Array };

/**
 * A small MLflow tracking server speaking the documented Model Registry read
 * routes, for the demo portal (`modelHub.ingestion.demo`) and integration
 * tests. Not MLflow: it serves a registry held in memory.
 *
 * - `GET /api/2.0/mlflow/registered-models/search`: `max_results` (default
 *   100, at most 1000, as MLflow), `page_token`, `order_by=name ASC|DESC`,
 *   `filter` of the form `name LIKE '%x%'` or `tags.k = 'v'`; the last page
 *   carries no `next_page_token`.
 * - `GET /api/2.0/mlflow/model-versions/search`: `filter` `name='x'`,
 *   `name="x"` or `name LIKE "x"` (`_` and `%` wildcards), `max_results`
 *   (default 200,000 as MLflow: callers must set it), `page_token`.
 * - `GET /api/2.0/mlflow/registered-models/get?name=`.
 * - `GET /api/2.0/mlflow/model-versions/get-download-uri?name=&version=`:
 *   the version's `source` (real servers resolve `runs:/` and `models:/`
 *   first; the fake's sources are already storage URIs).
 * - The artifact proxy of `mlflow server --serve-artifacts`:
 *   `GET /api/2.0/mlflow-artifacts/artifacts?path=` lists the direct
 *   children of a directory (`files: [{path: <basename>, is_dir,
 *   file_size}]`), `GET /api/2.0/mlflow-artifacts/artifacts/<path>` sends a
 *   file's bytes.
 *
 * Page tokens are opaque base64 offsets. Unknown parameters answer 400
 * `INVALID_PARAMETER_VALUE`, as MLflow does.
 */
export class FakeMlflowServer {
  /** Requests served, by route, for tests and the demo log. */
  readonly requests = new Map<string, number>();

  private constructor(
    private readonly server: http.Server,
    readonly registry: FakeMlflowRegistry,
  ) {}

  static async start(
    registry: FakeMlflowRegistry,
    options: { host?: string; port?: number } = {},
  ): Promise<FakeMlflowServer> {
    const holder: { fake?: FakeMlflowServer } = {};
    const server = http.createServer((req, res) =>
      holder.fake!.handle(req, res),
    );
    const fake = new FakeMlflowServer(server, registry);
    holder.fake = fake;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
    });
    return fake;
  }

  /** Base URL, e.g. `http://127.0.0.1:41234` (what `baseUrl` of a source takes). */
  get url(): string {
    const { address, port } = this.server.address() as AddressInfo;
    return `http://${address}:${port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>(resolve => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://fake');
    this.requests.set(url.pathname, (this.requests.get(url.pathname) ?? 0) + 1);
    const answer = answerMlflowRequest(this.registry, req.method ?? 'GET', url);
    if ('bytes' in answer) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(answer.bytes);
      return;
    }
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer.json));
  }
}

/**
 * The answer of the fake MLflow server (see {@link FakeMlflowServer}) to a
 * request, without the HTTP server: msw handlers in unit tests serve the
 * same registry semantics from it.
 */
export function answerMlflowRequest(
  registry: FakeMlflowRegistry,
  method: string,
  url: URL,
): FakeMlflowAnswer {
  const route = url.pathname;
  const send = (status: number, json: unknown) => ({ status, json });
  const invalid = (message: string) =>
    send(400, { error_code: 'INVALID_PARAMETER_VALUE', message });
  if (method !== 'GET') {
    return send(405, { error_code: 'ENDPOINT_NOT_FOUND', message: 'GET only' });
  }
  const paged = <T>(items: T[], max: number, key: string) =>
    page(items, url, Math.min(max, registry.pageSize ?? max), key, registry);
  try {
    if (route === '/api/2.0/mlflow/registered-models/search') {
      const filter = url.searchParams.get('filter');
      let models = [...registry.models];
      if (filter) models = models.filter(modelFilter(filter));
      const order = url.searchParams.get('order_by') ?? 'name ASC';
      if (!/^name (ASC|DESC)$/i.test(order)) {
        return invalid(`unsupported order_by ${order}`);
      }
      models.sort((a, b) => compare(a.name, b.name));
      if (/DESC$/i.test(order)) models.reverse();
      return send(
        200,
        paged(models, pageSize(url, 100, 1000), 'registered_models'),
      );
    }
    if (route === '/api/2.0/mlflow/model-versions/search') {
      const matches = versionNameFilter(url.searchParams.get('filter') ?? '');
      const versions = registry.versions.filter(v => matches(v.name ?? ''));
      return send(
        200,
        paged(versions, pageSize(url, 200_000, 200_000), 'model_versions'),
      );
    }
    if (route === '/api/2.0/mlflow/registered-models/get') {
      const name = url.searchParams.get('name');
      const model = registry.models.find(m => m.name === name);
      if (!model) {
        return send(404, {
          error_code: 'RESOURCE_DOES_NOT_EXIST',
          message: `Registered Model with name=${name} not found`,
        });
      }
      return send(200, { registered_model: model });
    }
    if (route === '/api/2.0/mlflow/model-versions/get-download-uri') {
      const name = url.searchParams.get('name');
      const number = url.searchParams.get('version');
      const version = registry.versions.find(
        v => v.name === name && v.version === number,
      );
      if (!version) {
        return send(404, {
          error_code: 'RESOURCE_DOES_NOT_EXIST',
          message: `Model Version (name=${name}, version=${number}) not found`,
        });
      }
      return send(200, { artifact_uri: version.source });
    }
    if (route === ARTIFACTS) {
      return send(200, {
        files: listArtifacts(registry, url.searchParams.get('path')),
      });
    }
    if (route.startsWith(`${ARTIFACTS}/`)) {
      const path = decodeURIComponent(route.slice(ARTIFACTS.length + 1));
      const content = registry.artifacts?.[path];
      if (content === undefined) {
        return send(404, {
          error_code: 'RESOURCE_DOES_NOT_EXIST',
          message: `No such artifact ${path}`,
        });
      }
      return { status: 200, bytes: content };
    }
    return send(404, { error_code: 'ENDPOINT_NOT_FOUND', message: route });
  } catch (e) {
    return invalid((e as Error).message);
  }
}

/** The direct children of `dir` among the artifact paths, as MLflow lists them. */
function listArtifacts(registry: FakeMlflowRegistry, dir: string | null) {
  const prefix = dir ? `${dir.replace(/\/+$/, '')}/` : '';
  const children = new Map<string, { is_dir: boolean; file_size?: number }>();
  for (const [path, content] of Object.entries(registry.artifacts ?? {})) {
    if (!path.startsWith(prefix)) continue;
    const [name, ...rest] = path.slice(prefix.length).split('/');
    if (rest.length > 0) children.set(name, { is_dir: true });
    else
      children.set(name, {
        is_dir: false,
        file_size: Buffer.byteLength(content),
      });
  }
  return [...children].map(([name, info]) => ({ path: name, ...info }));
}

function compare(a = '', b = ''): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

function pageSize(url: URL, fallback: number, max: number): number {
  const raw = url.searchParams.get('max_results');
  if (raw === null) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new Error(`max_results must be between 1 and ${max}, got ${raw}`);
  }
  return n;
}

function page<T>(
  items: T[],
  url: URL,
  size: number,
  key: string,
  registry: Pick<FakeMlflowRegistry, 'lastPage'>,
) {
  const token = url.searchParams.get('page_token');
  const start = token ? Number(Buffer.from(token, 'base64').toString()) : 0;
  if (!Number.isInteger(start) || start < 0) {
    throw new Error(`invalid page_token ${token}`);
  }
  const body: Record<string, unknown> = {
    [key]: items.slice(start, start + size),
  };
  if (start + size < items.length) {
    body.next_page_token = Buffer.from(String(start + size)).toString('base64');
  } else if (registry.lastPage === 'empty') {
    body.next_page_token = '';
  }
  return body;
}

function like(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      .replace(/_/g, '.')
      .replace(/%/g, '.*')}$`,
    's',
  );
}

function modelFilter(filter: string): (m: MlflowRegisteredModel) => boolean {
  const byName = filter.match(/^name (?:I?LIKE) (['"])(.*)\1$/is);
  if (byName) {
    const re = like(byName[2]);
    return m => re.test(m.name ?? '');
  }
  const byTag = filter.match(/^tags\.`?([\w.-]+)`? = (['"])(.*)\2$/s);
  if (byTag) {
    return m =>
      (m.tags ?? []).some(t => t.key === byTag[1] && t.value === byTag[3]);
  }
  throw new Error(`unsupported filter ${filter}`);
}

function versionNameFilter(filter: string): (name: string) => boolean {
  const m = filter.match(/^name(=| LIKE )(['"])(.*)\2$/s);
  if (!m) throw new Error(`unsupported filter ${filter}`);
  if (m[1] === '=') return name => name === m[3];
  const re = like(m[3]);
  return name => re.test(name);
}
