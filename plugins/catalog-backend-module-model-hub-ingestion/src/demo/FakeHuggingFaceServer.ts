import { createHash } from 'node:crypto';
import http from 'node:http';
import { AddressInfo } from 'node:net';

/** One model repository of a {@link FakeHuggingFaceHub}; mutate it through `commit`. */
export interface FakeHuggingFaceRepo {
  /** `author/name`. */
  id: string;
  /** Commit id of the main branch (40 hex digits). */
  sha: string;
  lastModified: string;
  createdAt: string;
  private?: boolean;
  /** `false`, `"auto"` or `"manual"`, as the Hub answers. */
  gated?: false | 'auto' | 'manual';
  pipeline_tag?: string;
  library_name?: string;
  tags?: string[];
  downloads?: number;
  likes?: number;
  cardData?: Record<string, unknown>;
  /** `securityRepoStatus` as `?securityStatus=true` answers it. */
  securityRepoStatus?: Record<string, unknown>;
  /** Files of the main branch by path (siblings are derived from them). */
  files: Record<string, string | Buffer>;
  /** Files of earlier commits, by sha, for routes that resolve a revision. */
  history?: Record<string, Record<string, string | Buffer>>;
}

/** A collection (`GET /api/collections/{namespace}/{slug}`). */
export interface FakeHuggingFaceCollection {
  /** `namespace/title-slug-<hex id>`, as the Hub spells slugs. */
  slug: string;
  title: string;
  private?: boolean;
  /** Repo ids of kind model (other item kinds are served as `dataset`). */
  items: Array<{ type: 'model' | 'dataset' | 'space'; id: string }>;
}

/** What a {@link FakeHuggingFaceServer} serves; mutate it to change upstream. */
export interface FakeHuggingFaceHub {
  repos: FakeHuggingFaceRepo[];
  collections: FakeHuggingFaceCollection[];
  /** When set, private repos and collections need `Authorization: Bearer <token>`. */
  token?: string;
}

/** A request as a route handler of {@link FakeHuggingFaceServer} sees it. */
export interface FakeHuggingFaceRequest {
  req: http.IncomingMessage;
  url: URL;
  /** The regex groups of the route pattern. */
  params: string[];
  /** Whether the request carried the hub's token (always true when none is set). */
  authorized: boolean;
  /** The public base URL of the server (for `Link` headers). */
  baseUrl: string;
  hub: FakeHuggingFaceHub;
}

/** A route handler; write the response with `send` or on `res` directly. */
export type FakeHuggingFaceHandler = (
  request: FakeHuggingFaceRequest,
  res: http.ServerResponse,
) => void | Promise<void>;

/** The fields `expand[]` accepts (the Hub answers 400 to others). */
export const FAKE_HF_EXPANDABLE = [
  'author',
  'baseModels',
  'cardData',
  'createdAt',
  'disabled',
  'downloads',
  'gated',
  'lastModified',
  'library_name',
  'likes',
  'pipeline_tag',
  'private',
  'safetensors',
  'sha',
  'siblings',
  'tags',
] as const;

/** Writes a JSON response, with the Hub's error header for 4xx answers. */
export function sendHubJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** The Hub's answer for a repo that does not exist or is private without a token. */
export function repoNotFound(res: http.ServerResponse) {
  sendHubJson(
    res,
    401,
    { error: 'Repository Not Found' },
    { 'x-error-code': 'RepoNotFound' },
  );
}

/** A repo by id, honouring privacy: undefined for unknown or hidden repos. */
export function visibleRepo(
  request: FakeHuggingFaceRequest,
  id: string,
): FakeHuggingFaceRepo | undefined {
  const repo = request.hub.repos.find(r => r.id === id);
  if (!repo || (repo.private && !request.authorized)) return undefined;
  return repo;
}

/** A deterministic 40-hex commit id. */
export function fakeCommitSha(...parts: string[]): string {
  return createHash('sha1').update(parts.join('\0')).digest('hex');
}

/**
 * Applies a change to a repo as a new commit on main: a new `sha`, a new
 * `lastModified`, the old files kept in `history`. Returns the new sha.
 */
export function commitToRepo(
  repo: FakeHuggingFaceRepo,
  change: {
    files?: Record<string, string | Buffer | null>;
    cardData?: Record<string, unknown>;
    at?: Date;
  },
): string {
  repo.history = { ...repo.history, [repo.sha]: { ...repo.files } };
  for (const [path, content] of Object.entries(change.files ?? {})) {
    if (content === null) delete repo.files[path];
    else repo.files[path] = content;
  }
  if (change.cardData) repo.cardData = { ...change.cardData };
  repo.sha = fakeCommitSha(repo.id, repo.sha, 'next');
  repo.lastModified = (change.at ?? new Date()).toISOString();
  return repo.sha;
}

function siblings(repo: FakeHuggingFaceRepo) {
  return Object.keys(repo.files)
    .sort()
    .map(rfilename => ({ rfilename }));
}

function fullInfo(repo: FakeHuggingFaceRepo): Record<string, unknown> {
  const card = repo.cardData ?? {};
  const base = card.base_model;
  return {
    _id: fakeCommitSha('id', repo.id).slice(0, 24),
    id: repo.id,
    modelId: repo.id,
    author: repo.id.split('/')[0],
    sha: repo.sha,
    lastModified: repo.lastModified,
    createdAt: repo.createdAt,
    private: repo.private ?? false,
    gated: repo.gated ?? false,
    disabled: false,
    downloads: repo.downloads ?? 0,
    likes: repo.likes ?? 0,
    library_name: repo.library_name,
    pipeline_tag: repo.pipeline_tag,
    tags: repo.tags ?? [],
    cardData: repo.cardData,
    siblings: siblings(repo),
    baseModels: base
      ? {
          relation: card.base_model_relation ?? 'finetune',
          models: (Array.isArray(base) ? base : [base]).map(id => ({ id })),
        }
      : undefined,
    safetensors: undefined,
  };
}

const LIST_FIELDS = [
  '_id',
  'id',
  'modelId',
  'likes',
  'downloads',
  'private',
  'tags',
  'pipeline_tag',
  'library_name',
  'createdAt',
];

function pick(info: Record<string, unknown>, keys: readonly string[]) {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (info[k] !== undefined) out[k] = info[k];
  return out;
}

const listModels: FakeHuggingFaceHandler = (request, res) => {
  const { url } = request;
  const author = url.searchParams.get('author');
  const search = url.searchParams.get('search')?.toLowerCase();
  const rawLimit = url.searchParams.get('limit');
  const limit = rawLimit === null ? 1000 : Number(rawLimit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    sendHubJson(res, 400, { error: '"limit" must be between 1 and 1000' });
    return;
  }
  const cursor = url.searchParams.get('cursor');
  const start = cursor
    ? Number(Buffer.from(cursor, 'base64url').toString())
    : 0;
  if (!Number.isInteger(start) || start < 0) {
    sendHubJson(res, 400, { error: 'Invalid cursor' });
    return;
  }
  const matches = request.hub.repos
    .filter(r => !r.private || request.authorized)
    .filter(
      r => !author || r.id.split('/')[0].toLowerCase() === author.toLowerCase(),
    )
    .filter(r => !search || r.id.toLowerCase().includes(search))
    // A stable order, so a cursor stays valid while counters move.
    .sort((a, b) => (a.id < b.id ? -1 : 1));
  const page = matches.slice(start, start + limit);
  const headers: Record<string, string> = {};
  if (start + limit < matches.length) {
    const next = new URL(url.pathname + url.search, request.baseUrl);
    next.searchParams.set(
      'cursor',
      Buffer.from(String(start + limit)).toString('base64url'),
    );
    headers.link = `<${next}>; rel="next"`;
  }
  sendHubJson(
    res,
    200,
    page.map(r => pick(fullInfo(r), LIST_FIELDS)),
    headers,
  );
};

const modelInfo: FakeHuggingFaceHandler = (request, res) => {
  const repo = visibleRepo(request, request.params[0]);
  if (!repo) {
    repoNotFound(res);
    return;
  }
  const expand = request.url.searchParams.getAll('expand[]');
  const unknown = expand.find(
    f => !(FAKE_HF_EXPANDABLE as readonly string[]).includes(f),
  );
  if (unknown) {
    sendHubJson(res, 400, {
      error: `"expand" must be one of [${FAKE_HF_EXPANDABLE.join(
        ', ',
      )}], got ${unknown}`,
    });
    return;
  }
  const info = fullInfo(repo);
  const body = expand.length > 0 ? pick(info, ['_id', 'id', ...expand]) : info;
  if (request.url.searchParams.get('securityStatus') === 'true') {
    body.securityRepoStatus = repo.securityRepoStatus ?? {
      scansDone: true,
      filesWithIssues: [],
    };
  }
  sendHubJson(res, 200, body);
};

const collection: FakeHuggingFaceHandler = (request, res) => {
  const found = request.hub.collections.find(
    c => c.slug === request.params[0] && (!c.private || request.authorized),
  );
  if (!found) {
    sendHubJson(res, 404, { error: 'Collection not found' });
    return;
  }
  const [namespace] = found.slug.split('/');
  sendHubJson(res, 200, {
    slug: found.slug,
    title: found.title,
    owner: { name: namespace, type: 'org' },
    private: found.private ?? false,
    items: found.items.map((item, position) => ({
      _id: fakeCommitSha('item', found.slug, item.id).slice(0, 24),
      id: item.id,
      type: item.type,
      position,
    })),
  });
};

/**
 * A small Hugging Face Hub speaking the documented read API
 * (huggingface.co/docs/hub/api), for the demo portal and integration tests.
 * Not the Hub: it serves repos held in memory.
 *
 * - `GET /api/models?author=&search=&limit=&cursor=`: `search` matches any
 *   substring of the id, case-insensitively (it over-matches like the real
 *   one: `bert` finds `distilbert`); `limit` at most 1000; further pages
 *   through `Link: <…&cursor=…>; rel="next"`.
 * - `GET /api/models/{author}/{name}` with `expand[]=` (only those fields
 *   plus `_id` and `id`; 400 for unknown ones) and `?securityStatus=true`
 *   (adds `securityRepoStatus`).
 * - `GET /api/collections/{namespace}/{slug}`.
 *
 * Private repos and collections answer 401 `RepoNotFound` without the hub's
 * token; a wrong token is 401 everywhere, as on the Hub. Further routes are
 * added with {@link FakeHuggingFaceServer.route} (matched in order added,
 * after the built-in ones).
 */
export class FakeHuggingFaceServer {
  /** Requests served, by path, for tests and the demo log. */
  readonly requests = new Map<string, number>();
  private readonly routes: Array<{
    method: string;
    pattern: RegExp;
    handler: FakeHuggingFaceHandler;
  }> = [];

  private constructor(
    private readonly server: http.Server,
    readonly hub: FakeHuggingFaceHub,
  ) {
    this.route('GET', /^\/api\/models$/, listModels);
    this.route('GET', /^\/api\/models\/([^/]+\/[^/]+)$/, modelInfo);
    this.route('GET', /^\/api\/collections\/([^/]+\/[^/]+)$/, collection);
  }

  static async start(
    hub: FakeHuggingFaceHub,
    options: { host?: string; port?: number } = {},
  ): Promise<FakeHuggingFaceServer> {
    const holder: { fake?: FakeHuggingFaceServer } = {};
    const server = http.createServer((req, res) => {
      holder.fake!.handle(req, res).catch(error => {
        if (!res.headersSent) {
          sendHubJson(res, 500, { error: (error as Error).message });
        } else res.destroy();
      });
    });
    const fake = new FakeHuggingFaceServer(server, hub);
    holder.fake = fake;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
    });
    return fake;
  }

  /** Base URL, e.g. `http://127.0.0.1:41234` (what `endpoint` of a source takes). */
  get url(): string {
    const { address, port } = this.server.address() as AddressInfo;
    return `http://${address}:${port}`;
  }

  /** Adds a route; `pattern` is matched against the decoded path. */
  route(method: string, pattern: RegExp, handler: FakeHuggingFaceHandler) {
    this.routes.push({ method, pattern, handler });
  }

  /** The repo `id`, or an error naming it (for tests that change upstream). */
  repo(id: string): FakeHuggingFaceRepo {
    const repo = this.hub.repos.find(r => r.id === id);
    if (!repo) throw new Error(`fake hub has no repo ${id}`);
    return repo;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>(resolve => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', this.url);
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      sendHubJson(res, 400, { error: 'Invalid path' });
      return;
    }
    this.requests.set(path, (this.requests.get(path) ?? 0) + 1);
    const auth = req.headers.authorization;
    if (auth !== undefined && auth !== `Bearer ${this.hub.token}`) {
      sendHubJson(res, 401, {
        error: 'Invalid credentials in Authorization header',
      });
      return;
    }
    const authorized = !this.hub.token || auth === `Bearer ${this.hub.token}`;
    for (const { method, pattern, handler } of this.routes) {
      const m = path.match(pattern);
      if (
        !m ||
        (req.method !== method && !(method === 'GET' && req.method === 'HEAD'))
      )
        continue;
      await handler(
        {
          req,
          url,
          params: m.slice(1),
          authorized,
          baseUrl: this.url,
          hub: this.hub,
        },
        res,
      );
      return;
    }
    sendHubJson(res, 404, {
      error: "Sorry, we can't find the page you are looking for.",
    });
  }
}

const TASKS = [
  'text-classification',
  'token-classification',
  'feature-extraction',
  'text-generation',
  'image-classification',
];
const LIBRARIES = ['transformers', 'sentence-transformers', 'timm', 'peft'];
const LICENSES = ['apache-2.0', 'mit', 'llama3.1', 'other'];

/**
 * `count` deterministic model repos of `author` (`author/<stem>-0001`…),
 * with a model card (README.md with YAML front matter), a config and a
 * weights file each; every fifth is gated. For demos and load tests.
 */
export function syntheticHuggingFaceRepos(
  author: string,
  count: number,
  options: { stem?: string; start?: Date } = {},
): FakeHuggingFaceRepo[] {
  const stem = options.stem ?? 'model';
  const start = options.start ?? new Date('2026-01-05T10:00:00Z');
  return Array.from({ length: count }, (_, i) => {
    const id = `${author}/${stem}-${String(i + 1).padStart(4, '0')}`;
    const license = LICENSES[i % LICENSES.length];
    const task = TASKS[i % TASKS.length];
    const when = new Date(start.getTime() + i * 3_600_000).toISOString();
    return {
      id,
      sha: fakeCommitSha(id, 'initial'),
      createdAt: when,
      lastModified: when,
      gated: i % 5 === 4 ? 'auto' : false,
      pipeline_tag: task,
      library_name: LIBRARIES[i % LIBRARIES.length],
      tags: [LIBRARIES[i % LIBRARIES.length], task, `license:${license}`],
      downloads: 1000 - (i % 1000),
      likes: i % 17,
      cardData: { license },
      files: {
        'README.md': `---\nlicense: ${license}\npipeline_tag: ${task}\n---\n\n# ${id}\n\nA synthetic ${task} model for tests and demos.\n`,
        'config.json': JSON.stringify({ model_type: stem, index: i }),
        'model.safetensors': Buffer.from(`weights of ${id}`),
      },
    };
  });
}
