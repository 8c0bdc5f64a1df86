import {
  fetchJsonWithRetry,
  fetchWithRetry,
  RetryOptions,
  SourceRequestError,
} from '../http/fetchWithRetry';
import { HuggingFaceModelInfo } from './mapHuggingFaceModel';

/** The `expand[]` fields read for each model. */
export const HF_EXPAND_FIELDS = [
  'sha',
  'lastModified',
  'gated',
  'private',
  'downloads',
  'likes',
  'library_name',
  'pipeline_tag',
  'tags',
  'cardData',
  'siblings',
  'safetensors',
  'baseModels',
] as const;

/** A glob over repo ids: `org/*` or `org/prefix-*` (`*` never crosses `/`). */
export interface RepoGlob {
  glob: string;
  author: string;
  search: string;
  regex: RegExp;
}

/** Parses `org/*`-style globs; anything else is a one-line config error. */
export function parseRepoGlob(glob: string): RepoGlob {
  const m = glob.match(/^([A-Za-z0-9][A-Za-z0-9._-]*)\/([A-Za-z0-9._*-]*)$/);
  if (!m || !glob.includes('*')) {
    throw new Error(
      `modelHub.ingestion.huggingFace.globs entry "${glob}" must look like org/* or org/prefix-*`,
    );
  }
  const [, author, pattern] = m;
  const escaped = pattern
    .split('*')
    .map(p => p.replace(/[.+?^${}()|[\]\\-]/g, '\\$&'))
    .join('[^/]*');
  return {
    glob,
    author,
    search: pattern.split('*')[0],
    regex: new RegExp(`^${author.replace(/[.-]/g, '\\$&')}/${escaped}$`),
  };
}

/** The `rel="next"` target of a `Link` header, if any. */
export function nextLink(link: string | null): string | undefined {
  for (const part of (link ?? '').split(',')) {
    const m = part.match(/<([^>]+)>\s*;(.*)/);
    if (m && /rel="?next"?/.test(m[2])) return m[1].trim();
  }
  return undefined;
}

/** Reads the Hugging Face Hub API (or a mirror at `endpoint`). */
export class HuggingFaceClient {
  private readonly endpoint: string;
  private readonly retry: RetryOptions;
  private readonly maxPages: number;

  constructor(
    options: Omit<RetryOptions, 'headers'> & {
      endpoint: string;
      token?: string;
      maxPages?: number;
    },
  ) {
    this.endpoint = options.endpoint.replace(/\/+$/, '');
    this.retry = {
      ...options,
      headers: options.token
        ? { authorization: `Bearer ${options.token}` }
        : {},
    };
    this.maxPages = options.maxPages ?? 1000;
  }

  /**
   * Every repo id matching `glob`: the fuzzy `search` over-matches, so each
   * id is re-checked against the glob. `Link: rel="next"` is followed only
   * within the endpoint's origin, so the token never leaves for another host.
   */
  async listGlob(glob: RepoGlob): Promise<string[]> {
    const ids: string[] = [];
    const origin = new URL(this.endpoint).origin;
    const first = new URL(`${this.endpoint}/api/models`);
    first.searchParams.set('author', glob.author);
    if (glob.search) first.searchParams.set('search', glob.search);
    first.searchParams.set('limit', '100');
    let url: string | undefined = first.toString();
    for (let page = 0; url; page++) {
      if (page >= this.maxPages) {
        throw new SourceRequestError(
          `listing ${glob.glob} did not end after ${this.maxPages} pages`,
        );
      }
      const { body, res } = await fetchJsonWithRetry<unknown>(url, this.retry);
      if (!Array.isArray(body)) {
        throw new SourceRequestError(
          `listing ${glob.glob} did not answer a JSON array`,
        );
      }
      for (const item of body) {
        const id =
          (item as { id?: unknown; modelId?: unknown })?.id ??
          (item as { modelId?: unknown })?.modelId;
        if (typeof id === 'string' && glob.regex.test(id)) ids.push(id);
      }
      const next = nextLink(res.headers.get('link'));
      if (next) {
        const resolved: URL = new URL(next, url);
        if (resolved.origin !== origin) {
          throw new SourceRequestError(
            `listing ${glob.glob} links to another host (${resolved.origin}); refusing to follow`,
          );
        }
        url = resolved.toString();
      } else {
        url = undefined;
      }
    }
    return ids;
  }

  /**
   * The model repo ids of a collection (`GET /api/collections/{slug}`);
   * datasets, spaces and papers in it are skipped.
   */
  async collectionModels(slug: string): Promise<string[]> {
    const url = `${this.endpoint}/api/collections/${slug
      .split('/')
      .map(encodeURIComponent)
      .join('/')}`;
    const { body } = await fetchJsonWithRetry<{ items?: unknown }>(
      url,
      this.retry,
    );
    if (!body || !Array.isArray(body.items)) {
      throw new SourceRequestError(
        `collection ${slug} did not answer a list of items`,
      );
    }
    const ids: string[] = [];
    for (const item of body.items as Array<{ type?: unknown; id?: unknown }>) {
      if (item?.type === 'model' && typeof item.id === 'string') {
        ids.push(item.id);
      }
    }
    return ids;
  }

  private modelUrl(id: string): URL {
    return new URL(
      `${this.endpoint}/api/models/${id
        .split('/')
        .map(encodeURIComponent)
        .join('/')}`,
    );
  }

  /** `GET /api/models/{id}` with the `expand[]` fields. */
  async modelInfo(id: string): Promise<HuggingFaceModelInfo> {
    const url = this.modelUrl(id);
    for (const f of HF_EXPAND_FIELDS) url.searchParams.append('expand[]', f);
    const { body } = await fetchJsonWithRetry<HuggingFaceModelInfo>(
      url.toString(),
      this.retry,
    );
    return body && typeof body === 'object' ? body : {};
  }

  /**
   * `GET /api/models/{id}?securityStatus=true`, the raw `securityRepoStatus`
   * value as JSON; `unavailable` when the call fails or the field is absent,
   * because no result is not a clean result.
   */
  async securityStatus(id: string): Promise<string> {
    const url = this.modelUrl(id);
    url.searchParams.set('securityStatus', 'true');
    try {
      const res = await fetchWithRetry(url.toString(), {
        ...this.retry,
        retries: 1,
      });
      const body = (await res.json()) as {
        securityRepoStatus?: unknown;
        securityStatus?: unknown;
      };
      // The Hub answers `securityRepoStatus`; `securityStatus` is read for older mirrors.
      const status = body?.securityRepoStatus ?? body?.securityStatus;
      return status === undefined || status === null
        ? 'unavailable'
        : JSON.stringify(status);
    } catch {
      return 'unavailable';
    }
  }
}
