import { createHash } from 'node:crypto';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import {
  FakeHuggingFaceRepo,
  FakeHuggingFaceRequest,
  FakeHuggingFaceServer,
  repoNotFound,
  sendHubJson,
  visibleRepo,
} from './FakeHuggingFaceServer';

const LFS_EXTENSIONS = /\.(safetensors|bin|onnx|gguf|pt|pth|h5|msgpack|ckpt)$/;
const LFS_MIN_BYTES = 10 * 1024 * 1024;

/** Whether the fake Hub stores a file in LFS: weight formats, or 10 MiB and more (as `.gitattributes` of new repos do). */
export function isLfsPath(path: string, size: number): boolean {
  return LFS_EXTENSIONS.test(path) || size >= LFS_MIN_BYTES;
}

/** Git's blob id of `content`: SHA-1 of `blob <size>\0` and the bytes. */
export function gitBlobOid(content: Buffer): string {
  return createHash('sha1')
    .update(`blob ${content.length}\0`)
    .update(content)
    .digest('hex');
}

/**
 * The file routes of a {@link FakeHuggingFaceServer}, for imports:
 *
 * - `GET /api/models/{id}/tree/{revision}?recursive=true`: the files (and
 *   directories) of a commit as the Hub lists them: `type`, `oid` (git blob
 *   id), `size`, `path`, and `lfs: {oid, size, pointerSize}` for LFS files
 *   (oid = SHA-256 of the content); paged by `Link` (`cursor`).
 * - `GET /{id}/resolve/{revision}/{path}`: a regular file's bytes; an LFS
 *   file answers 302 to a CDN on another origin (its own port), as the Hub
 *   redirects to its LFS CDN. The CDN refuses requests that carry an
 *   `Authorization` header (the token must not leave the Hub's origin) and
 *   serves the bytes of an oid, or what a test put in `tampered`.
 *
 * A revision is the repo's `sha` or a sha in its `history`.
 */
export class FakeHuggingFaceFiles {
  /** LFS oid → the bytes the CDN serves instead (a tampered mirror). */
  readonly tampered = new Map<string, Buffer>();
  /** Requests that reached the CDN, and those carrying an Authorization header. */
  readonly cdn = { requests: 0, withAuthorization: 0 };
  private readonly blobs = new Map<string, Buffer>();

  private constructor(
    private readonly cdnServer: http.Server,
    private readonly pageSize: number,
  ) {}

  /** Adds the routes to `hub` and starts its CDN; `pageSize` entries per tree page (default 1000). */
  static async attach(
    hub: FakeHuggingFaceServer,
    options: { pageSize?: number } = {},
  ): Promise<FakeHuggingFaceFiles> {
    const holder: { files?: FakeHuggingFaceFiles } = {};
    const cdnServer = http.createServer((req, res) =>
      holder.files!.serveCdn(req, res),
    );
    await new Promise<void>(resolve =>
      cdnServer.listen(0, '127.0.0.1', resolve),
    );
    const files = new FakeHuggingFaceFiles(cdnServer, options.pageSize ?? 1000);
    holder.files = files;
    hub.route(
      'GET',
      /^\/api\/models\/([^/]+\/[^/]+)\/tree\/([^/]+)$/,
      (request, res) => files.tree(request, res),
    );
    hub.route(
      'GET',
      /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/,
      (request, res) => files.resolve(request, res),
    );
    return files;
  }

  /** Base URL of the LFS CDN (another origin than the Hub). */
  get cdnUrl(): string {
    const { address, port } = this.cdnServer.address() as AddressInfo;
    return `http://${address}:${port}`;
  }

  async close(): Promise<void> {
    this.cdnServer.closeAllConnections();
    await new Promise<void>(resolve => this.cdnServer.close(() => resolve()));
  }

  private at(
    request: FakeHuggingFaceRequest,
    res: http.ServerResponse,
  ): Record<string, string | Buffer> | undefined {
    const [id, revision] = request.params;
    const repo: FakeHuggingFaceRepo | undefined = visibleRepo(request, id);
    if (!repo) {
      repoNotFound(res);
      return undefined;
    }
    const files =
      revision === repo.sha || revision === 'main'
        ? repo.files
        : repo.history?.[revision];
    if (!files) {
      sendHubJson(
        res,
        404,
        { error: `Invalid rev id: ${revision}` },
        { 'x-error-code': 'RevisionNotFound' },
      );
    }
    return files;
  }

  private tree(request: FakeHuggingFaceRequest, res: http.ServerResponse) {
    const files = this.at(request, res);
    if (!files) return;
    const recursive = request.url.searchParams.get('recursive') === 'true';
    const entries: Array<Record<string, unknown>> = [];
    const dirs = new Set<string>();
    for (const path of Object.keys(files).sort()) {
      const parts = path.split('/');
      for (let i = 1; i < parts.length; i++) {
        dirs.add(parts.slice(0, i).join('/'));
      }
      if (!recursive && parts.length > 1) continue;
      const content = Buffer.from(files[path]);
      if (isLfsPath(path, content.length)) {
        const oid = createHash('sha256').update(content).digest('hex');
        this.blobs.set(oid, content);
        const pointer = `version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize ${content.length}\n`;
        entries.push({
          type: 'file',
          oid: gitBlobOid(Buffer.from(pointer)),
          size: content.length,
          path,
          lfs: { oid, size: content.length, pointerSize: pointer.length },
        });
      } else {
        entries.push({
          type: 'file',
          oid: gitBlobOid(content),
          size: content.length,
          path,
        });
      }
    }
    for (const dir of dirs) {
      if (!recursive && dir.includes('/')) continue;
      entries.push({
        type: 'directory',
        oid: gitBlobOid(Buffer.from(dir)),
        size: 0,
        path: dir,
      });
    }
    const cursor = request.url.searchParams.get('cursor');
    const start = cursor
      ? Number(Buffer.from(cursor, 'base64url').toString())
      : 0;
    const headers: Record<string, string> = {};
    if (start + this.pageSize < entries.length) {
      const next = new URL(
        request.url.pathname + request.url.search,
        request.baseUrl,
      );
      next.searchParams.set(
        'cursor',
        Buffer.from(String(start + this.pageSize)).toString('base64url'),
      );
      headers.link = `<${next}>; rel="next"`;
    }
    sendHubJson(res, 200, entries.slice(start, start + this.pageSize), headers);
  }

  private resolve(request: FakeHuggingFaceRequest, res: http.ServerResponse) {
    const files = this.at(request, res);
    if (!files) return;
    const path = request.params[2];
    const raw = files[path];
    if (raw === undefined) {
      sendHubJson(
        res,
        404,
        { error: 'Entry not found' },
        { 'x-error-code': 'EntryNotFound' },
      );
      return;
    }
    const content = Buffer.from(raw);
    if (isLfsPath(path, content.length)) {
      const oid = createHash('sha256').update(content).digest('hex');
      this.blobs.set(oid, content);
      res.writeHead(302, { location: `${this.cdnUrl}/lfs/${oid}` });
      res.end();
      return;
    }
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': content.length,
    });
    res.end(content);
  }

  private serveCdn(req: http.IncomingMessage, res: http.ServerResponse) {
    this.cdn.requests += 1;
    if (req.headers.authorization !== undefined) {
      this.cdn.withAuthorization += 1;
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end('The CDN takes no Authorization header');
      return;
    }
    const oid = /^\/lfs\/([0-9a-f]{64})$/.exec(req.url ?? '')?.[1];
    const content = oid && (this.tampered.get(oid) ?? this.blobs.get(oid));
    if (!content) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': content.length,
    });
    res.end(content);
  }
}
