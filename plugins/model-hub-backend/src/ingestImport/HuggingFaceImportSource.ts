import { createHash } from 'node:crypto';
import { pipeline, Transform } from 'node:stream';
import { InputError, NotFoundError } from '@backstage/errors';
import { HuggingFaceConnection } from '@internal/plugin-model-hub-node';
import {
  ImportFile,
  ImportPlan,
  ImportSource,
  MAX_IMPORT_FILES,
} from './ImportSource';
import {
  bodyStream,
  sourceGet,
  SourceFetch,
  sourceUnavailable,
} from './sourceHttp';

interface TreeEntry {
  type?: string;
  path?: string;
  size?: number;
  /** Git blob sha1 of the file (of the pointer, for an LFS file). */
  oid?: string;
  lfs?: { oid?: string; size?: number };
}

const MAX_PAGES = 1000;

/**
 * Imports a Hugging Face model repo at one commit: the files come from
 * `GET /api/models/{id}/tree/{sha}?recursive=true` (paged by `Link`, within
 * the endpoint's origin) and `GET /{id}/resolve/{sha}/{path}`. An LFS file
 * must hash to its `lfs.oid` (SHA-256, checked by the hub's staging: a
 * mismatch stores nothing); any other file must hash to its git blob `oid`
 * (checked as it streams).
 */
export class HuggingFaceImportSource implements ImportSource {
  private readonly source: string;
  private readonly endpoint: string;
  private readonly headers: Record<string, string>;

  constructor(
    connection: HuggingFaceConnection,
    private readonly fetch?: SourceFetch,
  ) {
    this.source = `huggingface:${connection.sourceId}`;
    this.endpoint = connection.endpoint.replace(/\/+$/, '');
    this.headers = connection.token
      ? { authorization: `Bearer ${connection.token}` }
      : {};
  }

  async plan(repoId: string, sha: string): Promise<ImportPlan> {
    if (!/^[0-9a-f]{40}$/.test(sha)) {
      throw new InputError(
        `A Hugging Face import is pinned to a commit: '${sha}' is not a 40-character commit sha`,
      );
    }
    const repo = repoId.split('/').map(encodeURIComponent).join('/');
    const files: ImportFile[] = [];
    let next:
      | string
      | undefined = `${this.endpoint}/api/models/${repo}/tree/${sha}?recursive=true`;
    for (let page = 0; next; page++) {
      if (page >= MAX_PAGES) {
        throw sourceUnavailable(
          `${this.source} kept paging the files of ${repoId}@${sha}; not imported`,
        );
      }
      const response = await sourceGet({
        source: this.source,
        url: next,
        headers: this.headers,
        what: `the files of ${repoId} at ${sha}`,
        fetch: this.fetch,
      });
      const entries = (await response.json()) as TreeEntry[];
      if (!Array.isArray(entries)) {
        throw sourceUnavailable(
          `${this.source} answered the file list of ${repoId} with something that is not a list`,
        );
      }
      for (const entry of entries) {
        if (entry.type !== 'file') continue;
        if (files.length >= MAX_IMPORT_FILES) {
          throw new InputError(
            `${repoId}@${sha} has more than ${MAX_IMPORT_FILES} files; not imported`,
          );
        }
        files.push(this.file(repo, sha, entry));
      }
      next = nextLink(response.headers.get('link'), this.endpoint);
    }
    if (files.length === 0) {
      throw new InputError(`${repoId}@${sha} has no files; nothing to import`);
    }
    return {
      description: `Imported from ${this.source} (${this.endpoint}): ${repoId} at commit ${sha}`,
      files,
    };
  }

  async readCard(
    repoId: string,
    sha: string,
    maxBytes: number,
  ): Promise<{ markdown: string; truncated: boolean } | undefined> {
    if (!/^[0-9a-f]{40}$/.test(sha)) {
      throw new InputError(
        `A Hugging Face model card is read at a commit: '${sha}' is not a 40-character commit sha`,
      );
    }
    const repo = repoId.split('/').map(encodeURIComponent).join('/');
    let response: Response;
    try {
      response = await sourceGet({
        source: this.source,
        url: `${this.endpoint}/${repo}/resolve/${sha}/README.md`,
        headers: this.headers,
        what: `the model card of ${repoId} at ${sha}`,
        fetch: this.fetch,
      });
    } catch (e) {
      if (e instanceof NotFoundError) return undefined;
      throw e;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    for await (const chunk of bodyStream(response)) {
      const buffer = chunk as Buffer;
      if (size + buffer.length > maxBytes) {
        chunks.push(buffer.subarray(0, maxBytes - size));
        truncated = true;
        break;
      }
      chunks.push(buffer);
      size += buffer.length;
    }
    return {
      markdown: Buffer.concat(chunks).toString('utf8'),
      truncated,
    };
  }

  private file(repo: string, sha: string, entry: TreeEntry): ImportFile {
    const path = entry.path ?? '';
    const lfsOid = entry.lfs?.oid;
    if (entry.lfs && !/^[0-9a-f]{64}$/.test(lfsOid ?? '')) {
      throw sourceUnavailable(
        `${this.source} lists ${path} as an LFS file without a SHA-256 oid; not imported`,
      );
    }
    const size = entry.lfs ? entry.lfs.size : entry.size;
    const gitOid = entry.oid;
    if (!entry.lfs && !/^[0-9a-f]{40}$/.test(gitOid ?? '')) {
      throw sourceUnavailable(
        `${this.source} lists ${path} without a git oid; not imported`,
      );
    }
    return {
      path,
      size,
      sha256: lfsOid,
      open: async signal => {
        const response = await sourceGet({
          source: this.source,
          url: `${this.endpoint}/${repo}/resolve/${sha}/${path
            .split('/')
            .map(encodeURIComponent)
            .join('/')}`,
          headers: this.headers,
          what: `${path} at ${sha}`,
          signal,
          fetch: this.fetch,
        });
        const body = bodyStream(response);
        if (lfsOid) return body;
        // pipeline, not pipe: a failing download must fail the check stream too.
        return pipeline(body, gitBlobCheck(path, gitOid!, size), () => {});
      },
    };
  }
}

/**
 * Passes bytes through while hashing them as git does (`blob <size>\0` +
 * content, SHA-1), and fails the stream at its end when the hash is not the
 * oid the tree listed, so the hub's staging stores nothing.
 */
export function gitBlobCheck(
  path: string,
  oid: string,
  size: number | undefined,
): Transform {
  const chunks: Buffer[] = [];
  let received = 0;
  let hash =
    size === undefined
      ? undefined
      : createHash('sha1').update(`blob ${size}\0`);
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      // Without an announced size the header needs the total: keep the
      // (small, non-LFS) file until the end.
      if (hash) hash.update(chunk);
      else chunks.push(chunk);
      callback(null, chunk);
    },
    flush(callback) {
      if (!hash) {
        hash = createHash('sha1').update(`blob ${received}\0`);
        for (const c of chunks) hash.update(c);
      }
      const actual = hash.digest('hex');
      callback(
        actual === oid
          ? null
          : new InputError(
              `${path} does not match its git oid ${oid} (content hashes to ${actual}); nothing was stored`,
            ),
      );
    },
  });
}

/** The `rel="next"` URL of a `Link` header, kept only within `endpoint`'s origin (the token goes nowhere else). */
function nextLink(link: string | null, endpoint: string): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(',')) {
    const m = part.match(/<([^>]+)>\s*;\s*rel="?next"?/);
    if (!m) continue;
    const url = new URL(m[1], endpoint);
    return url.origin === new URL(endpoint).origin ? url.toString() : undefined;
  }
  return undefined;
}
