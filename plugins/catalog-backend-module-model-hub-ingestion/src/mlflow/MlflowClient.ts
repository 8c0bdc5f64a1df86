import { fetchJsonWithRetry, RetryOptions } from '../http/fetchWithRetry';
import {
  MlflowModelVersion,
  MlflowRegisteredModel,
  SearchModelVersionsResponse,
  SearchRegisteredModelsResponse,
} from './types';

import { MlflowAuth, mlflowAuthHeaders } from '@internal/plugin-model-hub-node';

export type { MlflowAuth };

/** Options of {@link MlflowClient}. */
export interface MlflowClientOptions extends Omit<RetryOptions, 'headers'> {
  baseUrl: string;
  auth?: MlflowAuth;
  /** Page size of `registered-models/search` (max 1000 on most servers); default 500. */
  pageSize?: number;
  /** Page size of `model-versions/search`; default 200. */
  versionPageSize?: number;
  /** Upper bound of pages read from one listing, against a server that never ends; default 10,000. */
  maxPages?: number;
}

/**
 * The `filter` that selects exactly the versions of `name`. MLflow strips the
 * enclosing quotes of a value without unescaping, so a name is quoted with a
 * quote character it does not contain. A name holding both `'` and `"` cannot
 * be written as an equality; it is matched with `LIKE`, each `'` as the
 * single-character wildcard `_`, and `exact: false` tells the caller to keep
 * only versions whose name is exactly `name`.
 */
export function versionFilterFor(name: string): {
  filter: string;
  exact: boolean;
} {
  if (!name.includes("'")) return { filter: `name='${name}'`, exact: true };
  if (!name.includes('"')) return { filter: `name="${name}"`, exact: true };
  return { filter: `name LIKE "${name.replace(/'/g, '_')}"`, exact: false };
}

/** Reads an MLflow Model Registry over its documented REST API, every page. */
export class MlflowClient {
  private readonly baseUrl: string;
  private readonly retry: RetryOptions;
  private readonly pageSize: number;
  private readonly versionPageSize: number;
  private readonly maxPages: number;

  constructor(options: MlflowClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.retry = { ...options, headers: mlflowAuthHeaders(options.auth) };
    this.pageSize = options.pageSize ?? 500;
    this.versionPageSize = options.versionPageSize ?? 200;
    this.maxPages = options.maxPages ?? 10_000;
  }

  /** The registry's web page of a model. */
  modelPageUrl(name: string): string {
    return `${this.baseUrl}/#/models/${encodeURIComponent(name)}`;
  }

  /** Every registered model matching `filter` (all pages, ordered by name). */
  async searchRegisteredModels(
    filter?: string,
  ): Promise<MlflowRegisteredModel[]> {
    return this.allPages<MlflowRegisteredModel>(
      'registered-models/search',
      { filter, max_results: String(this.pageSize), order_by: 'name ASC' },
      (body: SearchRegisteredModelsResponse) => body.registered_models,
    );
  }

  /** Every version of the model named exactly `name` (all pages). */
  async searchModelVersions(name: string): Promise<MlflowModelVersion[]> {
    const { filter, exact } = versionFilterFor(name);
    const versions = await this.allPages<MlflowModelVersion>(
      'model-versions/search',
      { filter, max_results: String(this.versionPageSize) },
      (body: SearchModelVersionsResponse) => body.model_versions,
    );
    return exact ? versions : versions.filter(v => v.name === name);
  }

  private async allPages<T>(
    route: string,
    params: Record<string, string | undefined>,
    items: (body: any) => T[] | undefined,
  ): Promise<T[]> {
    const out: T[] = [];
    const seen = new Set<string>();
    let token: string | undefined;
    for (let page = 0; page < this.maxPages; page++) {
      const url = new URL(`${this.baseUrl}/api/2.0/mlflow/${route}`);
      for (const [k, v] of Object.entries(params)) {
        if (v !== undefined && v !== '') url.searchParams.set(k, v);
      }
      if (token) url.searchParams.set('page_token', token);
      const { body } = await fetchJsonWithRetry<any>(
        url.toString(),
        this.retry,
      );
      const list = body && typeof body === 'object' ? items(body) : undefined;
      if (Array.isArray(list)) out.push(...list);
      const next = body?.next_page_token;
      // Absent or empty both mean the last page (servers differ).
      if (typeof next !== 'string' || next === '') return out;
      if (seen.has(next)) {
        throw new Error(
          `${route} returned the page token ${JSON.stringify(
            next,
          )} twice; the server's paging is broken`,
        );
      }
      seen.add(next);
      token = next;
    }
    throw new Error(
      `${route} still had pages after ${this.maxPages}; raise pageSize`,
    );
  }
}
