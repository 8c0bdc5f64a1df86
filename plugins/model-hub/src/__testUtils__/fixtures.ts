import { Entity } from '@backstage/catalog-model';
import {
  ModelVersion,
  ModelVersionFile,
} from '@internal/plugin-model-hub-common';
import {
  GauntletRun,
  ModelGauntletResult,
  ModelHubApi,
  StewardshipTasksResult,
  VersionFileContent,
} from '../api';

/** Builds a Model entity for tests; `spec` and `metadata` are merged in. */
export function modelEntity(
  name: string,
  overrides: {
    spec?: Record<string, unknown>;
    metadata?: Partial<Entity['metadata']>;
    relations?: Entity['relations'];
  } = {},
): Entity {
  return {
    apiVersion: 'modelhub.io/v1alpha1',
    kind: 'Model',
    metadata: { name, namespace: 'default', ...overrides.metadata },
    spec: {
      type: 'llm',
      task: 'text-generation',
      framework: 'pytorch',
      owner: 'group:default/ml-platform',
      lifecycle: 'production',
      tier: 'community',
      license: 'Apache-2.0',
      ...overrides.spec,
    },
    relations: overrides.relations ?? [],
  };
}

/** A file of a version with a given verdict. */
export function versionFile(
  path: string,
  overrides: Partial<ModelVersionFile> = {},
): ModelVersionFile {
  const sha256 = overrides.sha256 ?? 'a'.repeat(64);
  const size = overrides.size ?? 1536;
  return {
    path,
    size,
    sha256,
    format: 'safetensors',
    scan: {
      path,
      format: 'safetensors',
      verdict: 'safe',
      sha256,
      size,
      findings: [],
    },
    uploadedBy: 'user:default/alice',
    uploadedAt: '2026-11-01T10:00:00Z',
    ...overrides,
  };
}

/** A version of `model:default/<name>`. */
export function modelVersion(
  name: string,
  version: string,
  overrides: Partial<ModelVersion> = {},
): ModelVersion {
  return {
    entityRef: `model:default/${name}`,
    version,
    state: 'sealed',
    files: [versionFile('model.safetensors')],
    aliases: [],
    scanVerdict: 'safe',
    createdBy: 'user:default/alice',
    createdAt: '2026-11-01T10:00:00Z',
    sealedAt: '2026-11-01T10:05:00Z',
    ...overrides,
  };
}

/** An in-memory {@link ModelHubApi} for component tests. */
export class FakeModelHubApi implements ModelHubApi {
  constructor(
    private readonly data: {
      versions?: Record<string, ModelVersion[]>;
      tasks?: StewardshipTasksResult;
      gauntlet?: Record<string, ModelGauntletResult>;
      gauntletRuns?: Record<string, GauntletRun[]>;
      /** File contents by `<entityRef>@<version>/<path>`. */
      files?: Record<string, Blob>;
      error?: Error;
    } = {},
  ) {}

  /** Answers `searchModels`; tests replace it with a jest mock. */
  searchModels: ModelHubApi['searchModels'] = async () => ({
    items: [],
    totalItems: 0,
    pageInfo: {},
  });

  /** Answers `searchModelFacets`; tests replace it with a jest mock. */
  searchModelFacets: ModelHubApi['searchModelFacets'] = async () => ({
    facets: {
      task: [],
      framework: [],
      tier: [],
      license: [],
      owner: [],
      lifecycle: [],
    },
  });

  /** Answers `findSimilarModels`; tests replace it with a jest mock. */
  findSimilarModels: ModelHubApi['findSimilarModels'] = async () => ({
    items: [],
  });

  async listVersions(entityRef: string): Promise<ModelVersion[]> {
    if (this.data.error) {
      throw this.data.error;
    }
    return this.data.versions?.[entityRef] ?? [];
  }

  async getFileDownloadUrl(
    entityRef: string,
    versionOrAlias: string,
    path: string,
  ): Promise<string> {
    const [, rest] = entityRef.split(':');
    return `http://localhost:7007/api/model-hub/v1/models/${rest}/versions/${versionOrAlias}/files/${path}`;
  }

  async getTasks(): Promise<StewardshipTasksResult> {
    if (this.data.error) {
      throw this.data.error;
    }
    return this.data.tasks ?? { available: false };
  }

  /** Actions taken, in order; `refuse` makes the next one fail with that line. */
  readonly actions: Array<{ target: string; action: object }> = [];
  refuse?: string;

  async actOnTask(taskId: string, action: { type: string }) {
    return this.#act(taskId, action);
  }

  async reassignSteward(entityRef: string, steward: string) {
    return this.#act(entityRef, { type: 'reassign-steward', steward });
  }

  async archiveModel(entityRef: string, reason: string) {
    return this.#act(entityRef, { type: 'archive', reason });
  }

  async withdrawPromotion(entityRef: string, requestId: number) {
    return this.#act(entityRef, { type: 'withdraw-promotion', requestId });
  }

  async getModelOverrides(entityRef: string) {
    return { entityRef };
  }

  async #act(
    target: string,
    action: object,
  ): Promise<{ state: 'open' | 'closed'; message: string }> {
    if (this.refuse) {
      const message = this.refuse;
      this.refuse = undefined;
      throw new Error(message);
    }
    this.actions.push({ target, action });
    if (this.data.tasks?.available) {
      // The task leaves the open list, as the hub does.
      this.data.tasks = {
        available: true,
        items: this.data.tasks.items.filter(t => t.id !== target),
      };
    }
    return { state: 'closed', message: 'Done' };
  }

  async getGauntlet(entityRef: string): Promise<ModelGauntletResult> {
    if (this.data.error) {
      throw this.data.error;
    }
    return this.data.gauntlet?.[entityRef] ?? { available: false };
  }

  async getGauntletRuns(
    entityRef: string,
    version: string,
  ): Promise<GauntletRun[]> {
    if (this.data.error) {
      throw this.data.error;
    }
    return this.data.gauntletRuns?.[`${entityRef}@${version}`] ?? [];
  }

  /** Every file read, as `<entityRef>@<version>/<path>`. */
  readonly reads: string[] = [];
  /** The reads asked as previews (not pulls), in the same form. */
  readonly previews: string[] = [];

  async readFile(
    entityRef: string,
    versionOrAlias: string,
    path: string,
    options: { maxBytes: number; preview?: boolean },
  ): Promise<VersionFileContent> {
    const key = `${entityRef}@${versionOrAlias}/${path}`;
    this.reads.push(key);
    if (options.preview) this.previews.push(key);
    const blob = this.data.files?.[key];
    if (!blob) {
      throw Object.assign(new Error(`${path} not found`), {
        name: 'NotFoundError',
      });
    }
    return {
      blob: blob.slice(0, options.maxBytes, blob.type),
      size: blob.size,
      truncated: blob.size > options.maxBytes,
    };
  }
}
