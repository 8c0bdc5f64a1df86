import type { CompoundEntityRef } from '@backstage/catalog-model';
import { parseRef } from './entityRefs';

/**
 * Builds the API paths (relative to the plugin base URL, e.g.
 * `http://localhost:7007/api/model-hub`) so clients and tests never
 * hand-assemble them.
 */
export const modelHubApiPaths = {
  /** Server-side model search with facets (`?q=&task=…&sort=&cursor=`). */
  models(): string {
    return '/v1/models';
  },
  /** The facet counts of a model search's filter (same query as `models`). */
  modelFacets(): string {
    return '/v1/models/facets';
  },
  versions(ref: CompoundEntityRef | string): string {
    return `/v1/models/${modelRefPath(ref)}/versions`;
  },
  version(ref: CompoundEntityRef | string, versionOrAlias: string): string {
    return `${this.versions(ref)}/${encodeURIComponent(versionOrAlias)}`;
  },
  seal(ref: CompoundEntityRef | string, version: string): string {
    return `${this.version(ref, version)}/seal`;
  },
  file(ref: CompoundEntityRef | string, version: string, path: string): string {
    return `${this.version(ref, version)}/files/${path
      .split('/')
      .map(encodeURIComponent)
      .join('/')}`;
  },
  alias(ref: CompoundEntityRef | string, alias: string): string {
    return `/v1/models/${modelRefPath(ref)}/aliases/${encodeURIComponent(
      alias,
    )}`;
  },
  /** Import of an ingested model's upstream version into the hub (POST), its imports (GET `imports`). */
  importVersion(ref: CompoundEntityRef | string): string {
    return `/v1/models/${modelRefPath(ref)}/import`;
  },
  imports(ref: CompoundEntityRef | string): string {
    return `/v1/models/${modelRefPath(ref)}/imports`;
  },
  /** The model card of an ingested model at the mirrored revision (GET). */
  upstreamCard(ref: CompoundEntityRef | string): string {
    return `/v1/models/${modelRefPath(ref)}/upstream-card`;
  },
  gauntlet(ref: CompoundEntityRef | string): string {
    return `/v1/models/${modelRefPath(ref)}/gauntlet`;
  },
  gauntletRuns(ref: CompoundEntityRef | string, version: string): string {
    return `${this.version(ref, version)}/gauntlet/runs`;
  },
  promotionRequests(ref: CompoundEntityRef | string): string {
    return `/v1/models/${modelRefPath(ref)}/promotion-requests`;
  },
  deprecation(ref: CompoundEntityRef | string): string {
    return `/v1/models/${modelRefPath(ref)}/deprecation`;
  },
  registeredModels(): string {
    return '/v1/registered-models';
  },
  registeredModel(ref: CompoundEntityRef | string): string {
    return `/v1/registered-models/${modelRefPath(ref)}`;
  },
};

/** `namespace/name` of a model ref for API paths (each part URL-encoded). */
export function modelRefPath(ref: CompoundEntityRef | string): string {
  const r =
    typeof ref === 'string'
      ? parseRef(ref, {
          defaultKind: 'model',
          defaultNamespace: 'default',
        })
      : ref;
  return `${encodeURIComponent(r.namespace)}/${encodeURIComponent(r.name)}`;
}
