import {
  AuthService,
  BackstageCredentials,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  formatHfRepoId,
  HfNamespaceMode,
  hfRepoIdOf,
  isModelEntity,
  ModelEntityV1alpha1,
} from '@internal/plugin-model-hub-common';
import { CatalogVisibility } from '../service/visibility';
import { HfNotFoundError } from './errors';

/** A catalog model as the Hugging Face endpoints see it. */
export interface HfRepo {
  /** `namespace/name`. */
  id: string;
  namespace: string;
  name: string;
  /** Lower-case entity ref, the key of the model's versions. */
  entityRef: string;
  entity: ModelEntityV1alpha1;
}

/**
 * Maps Hugging Face repo ids (`namespace/name`) to catalog models and back
 * (`modelHub.hf.namespace`), showing a caller only the models the catalog
 * lets them read (the hub's visibility filter).
 */
export class HfRepoMapping {
  readonly #catalog: CatalogService;
  readonly #auth: AuthService;
  readonly #visibility: CatalogVisibility;
  readonly #mode: HfNamespaceMode;

  constructor(options: {
    catalog: CatalogService;
    auth: AuthService;
    mode: HfNamespaceMode;
  }) {
    this.#catalog = options.catalog;
    this.#auth = options.auth;
    this.#mode = options.mode;
    this.#visibility = new CatalogVisibility({
      catalog: options.catalog,
      auth: options.auth,
    });
  }

  /** The repo of one catalog model. */
  repoOf(entity: ModelEntityV1alpha1): HfRepo {
    const id = hfRepoIdOf(entity, this.#mode);
    return {
      id: formatHfRepoId(id),
      ...id,
      entityRef: refOf(entity),
      entity,
    };
  }

  /**
   * The model a repo id names, when the caller may read it. When two models
   * map to the same id, the one whose entity namespace is the repo namespace
   * wins, then the first by entity ref.
   * @throws HfNotFoundError (`RepoNotFound`) when there is none, or the
   *   caller may not see it (a hidden model looks absent)
   */
  async find(
    namespace: string,
    name: string,
    credentials: BackstageCredentials,
  ): Promise<HfRepo> {
    const id = `${namespace}/${name}`;
    const { items } = await this.#catalog.getEntities(
      { filter: { kind: 'Model', 'metadata.name': name } },
      { credentials: await this.#auth.getOwnServiceCredentials() },
    );
    const lower = (s: string) => s.toLocaleLowerCase('en-US');
    const candidates = models(items)
      .map(e => this.repoOf(e))
      .filter(r => lower(r.id) === lower(id))
      .sort(
        (a, b) =>
          Number(
            lower(b.entity.metadata.namespace ?? '') === lower(namespace),
          ) -
            Number(
              lower(a.entity.metadata.namespace ?? '') === lower(namespace),
            ) || a.entityRef.localeCompare(b.entityRef),
      );
    const visible = await this.#visibility.filter(candidates, {
      credentials,
      refOf: r => r.entityRef,
    });
    if (visible.length === 0) {
      throw new HfNotFoundError(
        'RepoNotFound',
        `Repository ${id} not found; check the name, or that your token's user may read the model`,
      );
    }
    return visible[0];
  }

  /** Every model the caller may read, in entity ref order. */
  async list(credentials: BackstageCredentials): Promise<HfRepo[]> {
    const { items } = await this.#catalog.getEntities(
      { filter: { kind: 'Model' } },
      { credentials: await this.#auth.getOwnServiceCredentials() },
    );
    const repos = models(items)
      .map(e => this.repoOf(e))
      .sort((a, b) => a.entityRef.localeCompare(b.entityRef));
    return this.#visibility.filter(repos, {
      credentials,
      refOf: r => r.entityRef,
    });
  }
}

function models(items: Entity[]): ModelEntityV1alpha1[] {
  return items.filter(isModelEntity);
}

function refOf(entity: Entity): string {
  return stringifyEntityRef(entity).toLocaleLowerCase('en-US');
}
