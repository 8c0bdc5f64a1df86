import { Entity } from '@backstage/catalog-model';
import {
  UPSTREAM_DRIFT_ANNOTATION,
  UpstreamDrift,
  UpstreamDriftChange,
} from '@internal/plugin-model-hub-common';
import { INGESTION_ANNOTATIONS } from '../annotations';

function licenseOf(entity: Entity): string | undefined {
  const value = (entity.spec as { license?: unknown } | undefined)?.license;
  return typeof value === 'string' ? value : undefined;
}

/**
 * Compares a freshly mapped entity with the one last emitted for the same
 * upstream model and records what changed upstream (a new revision: Hugging
 * Face commit or MLflow version; a new licence) in the drift annotation.
 * Without a change the previous drift record is carried over, so an
 * unchanged model hashes the same and is not re-emitted. A first sighting
 * is not drift.
 */
export function markUpstreamDrift(
  previous: Entity | undefined,
  next: Entity,
  detectedAt: string,
): Entity {
  if (!previous) return next;
  const before = previous.metadata.annotations ?? {};
  const after = next.metadata.annotations ?? {};
  const changes: UpstreamDriftChange[] = [];
  const fromRevision = before[INGESTION_ANNOTATIONS.revision];
  const toRevision = after[INGESTION_ANNOTATIONS.revision];
  if (fromRevision && toRevision && fromRevision !== toRevision) {
    changes.push({ field: 'revision', from: fromRevision, to: toRevision });
  }
  const fromLicense = licenseOf(previous);
  const toLicense = licenseOf(next);
  if (fromLicense && toLicense && fromLicense !== toLicense) {
    changes.push({ field: 'license', from: fromLicense, to: toLicense });
  }
  let value: string | undefined;
  if (changes.length > 0) {
    const drift: UpstreamDrift = {
      detectedAt,
      source: after[INGESTION_ANNOTATIONS.source] ?? '',
      url: after[INGESTION_ANNOTATIONS.sourceUrl],
      changes,
    };
    value = JSON.stringify(drift);
  } else {
    value = before[UPSTREAM_DRIFT_ANNOTATION];
  }
  if (!value) return next;
  return {
    ...next,
    metadata: {
      ...next.metadata,
      annotations: { ...after, [UPSTREAM_DRIFT_ANNOTATION]: value },
    },
  };
}
