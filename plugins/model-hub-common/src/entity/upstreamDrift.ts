import { Entity } from '@backstage/catalog-model';

/**
 * On an ingested Model: JSON {@link UpstreamDrift}, written by the ingestion
 * module when the upstream model changed after it was first mirrored. The
 * model page shows it and the stewardship engine opens a task for it.
 */
export const UPSTREAM_DRIFT_ANNOTATION = 'modelhub.io/upstream-drift';

/** What about an upstream model changed. */
export type UpstreamDriftField = 'revision' | 'license';

/** One changed field: its value before and after. */
export interface UpstreamDriftChange {
  field: UpstreamDriftField;
  from: string;
  to: string;
}

/** The latest upstream change of an ingested model. */
export interface UpstreamDrift {
  /** ISO timestamp of the sync that saw the change. */
  detectedAt: string;
  /** The source, e.g. `huggingface:hf` or `mlflow:prod`. */
  source: string;
  /** Where to see the change upstream. */
  url?: string;
  changes: UpstreamDriftChange[];
}

const FIELDS: readonly string[] = ['revision', 'license'];

/**
 * Reads the drift annotation of an entity; undefined when absent or not
 * well-formed (a malformed value is ignored rather than shown).
 */
export function readUpstreamDrift(entity: Entity): UpstreamDrift | undefined {
  const raw = entity.metadata.annotations?.[UPSTREAM_DRIFT_ANNOTATION];
  if (!raw) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const v = value as Partial<UpstreamDrift>;
  if (
    !v ||
    typeof v.detectedAt !== 'string' ||
    Number.isNaN(Date.parse(v.detectedAt)) ||
    typeof v.source !== 'string' ||
    !Array.isArray(v.changes)
  ) {
    return undefined;
  }
  const changes = v.changes.filter(
    (c): c is UpstreamDriftChange =>
      !!c &&
      FIELDS.includes(c.field) &&
      typeof c.from === 'string' &&
      typeof c.to === 'string',
  );
  if (changes.length === 0) return undefined;
  const url =
    typeof v.url === 'string' && /^https?:\/\//.test(v.url) ? v.url : undefined;
  return { detectedAt: v.detectedAt, source: v.source, url, changes };
}
