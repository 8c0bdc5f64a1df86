import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  MODEL_HUB_ANNOTATIONS,
  MODEL_TIERS,
  ModelTier,
  ModelVersionFile,
} from '@internal/plugin-model-hub-common';
import { canonicalJson, sha256Hex } from './config';

/** Annotations the hub writes itself; they do not change what is checked. */
const HUB_WRITTEN = new Set<string>([
  MODEL_HUB_ANNOTATIONS.effectiveTier,
  MODEL_HUB_ANNOTATIONS.gauntletStatus,
]);

/** SHA-256 of what a check can see of the entity: spec and the modelhub.io annotations. */
export function entitySha256(entity: Entity): string {
  const annotations = Object.fromEntries(
    Object.entries(entity.metadata.annotations ?? {}).filter(
      ([k]) => k.startsWith('modelhub.io/') && !HUB_WRITTEN.has(k),
    ),
  );
  return sha256Hex(
    canonicalJson({
      ref: stringifyEntityRef(entity).toLocaleLowerCase('en-US'),
      annotations,
      spec: entity.spec ?? {},
    }),
  );
}

/** SHA-256 over the sorted `path:sha256` lines of the version files. */
export function filesSha256(
  files: Array<Pick<ModelVersionFile, 'path' | 'sha256'>>,
): string {
  return sha256Hex(
    files
      .map(f => `${f.path}:${f.sha256}\n`)
      .sort()
      .join(''),
  );
}

/** The tier a model asks for: the requested-tier annotation, else `spec.tier`. */
export function requestedTierOf(entity: Entity): ModelTier {
  const annotated =
    entity.metadata.annotations?.[MODEL_HUB_ANNOTATIONS.requestedTier];
  const tier = annotated ?? (entity.spec?.tier as string | undefined);
  return (MODEL_TIERS as readonly string[]).includes(tier ?? '')
    ? (tier as ModelTier)
    : 'community';
}

/** SHA-256 of a version's sealed manifest: the sorted (path, size, sha256) list. */
export function manifestSha256(
  files: Array<Pick<ModelVersionFile, 'path' | 'size' | 'sha256'>>,
): string {
  return sha256Hex(
    canonicalJson(
      [...files]
        .sort((a, b) => {
          if (a.path === b.path) return 0;
          return a.path < b.path ? -1 : 1;
        })
        .map(f => ({ path: f.path, size: f.size, sha256: f.sha256 })),
    ),
  );
}
