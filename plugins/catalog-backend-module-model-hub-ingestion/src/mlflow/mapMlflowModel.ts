import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  Entity,
  EntityLink,
  parseEntityRef,
} from '@backstage/catalog-model';
import {
  checkSpdxExpression,
  MODEL_HUB_ANNOTATIONS,
  MODEL_TASKS,
} from '@internal/plugin-model-hub-common';
import { INGESTION_ANNOTATIONS } from '../annotations';
import { asSlug, entityNameFor } from '../naming';
import { MlflowModelVersion, MlflowRegisteredModel, MlflowTag } from './types';

/** What the MLflow mapping needs to know about its source. */
export interface MlflowMappingOptions {
  /** The source id from config. */
  sourceId: string;
  /** The registry's model page URL for a name. */
  modelPageUrl: (name: string) => string;
  /** Owner when the owner tag is absent or not an entity ref. */
  defaultOwner: string;
  /** Tag whose value names the owning group; default `owner`. */
  ownerTag: string;
  /** Tag that, when present and not `false`, marks the model deprecated; default `deprecated`. */
  deprecationTag: string;
  /** `spec.license` when the model has no valid `license` tag; default `NOASSERTION`. */
  defaultLicense: string;
  /** Catalog namespace of the emitted entities. */
  namespace: string;
}

/** The MLflow version status of a version that is mirrored. */
export const MLFLOW_READY = 'READY';

function tagMap(tags?: MlflowTag[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags ?? []) {
    if (typeof t?.key === 'string') out[t.key] = String(t.value ?? '');
  }
  return out;
}

function ownerFrom(value: string | undefined, fallback: string): string {
  if (!value) return fallback;
  try {
    const ref = parseEntityRef(value.trim(), {
      defaultKind: 'group',
      defaultNamespace: 'default',
    });
    const kind = ref.kind.toLocaleLowerCase('en-US');
    if (kind !== 'group' && kind !== 'user') return fallback;
    return `${kind}:${ref.namespace}/${ref.name}`;
  } catch {
    return fallback;
  }
}

/** Only http(s) URLs become links: a `javascript:` run link must never reach the UI. */
function httpUrl(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:'
      ? u.toString()
      : undefined;
  } catch {
    return undefined;
  }
}

function versionNumber(v: MlflowModelVersion): number {
  const n = Number(v.version);
  return Number.isFinite(n) ? n : -1;
}

function timestamp(value: unknown): string | undefined {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? new Date(n).toISOString() : undefined;
}

const TASKS = new Set<string>(MODEL_TASKS as readonly string[]);

/**
 * Maps an MLflow registered model and its versions to a `kind: Model` entity
 * (tier `community` until the gauntlet has run). READY versions are mirrored
 * in an annotation; the others are listed as pending. The model is
 * deprecated when it carries the deprecation tag or every version is
 * Archived. Aliases come from the model (MLflow 2.3+) and are simply absent
 * on older servers.
 */
export function mapMlflowModel(
  model: MlflowRegisteredModel & { name: string },
  versions: MlflowModelVersion[],
  options: MlflowMappingOptions,
): Entity {
  const tags = tagMap(model.tags);
  const sorted = [...versions].sort(
    (a, b) => versionNumber(b) - versionNumber(a),
  );
  const ready = sorted.filter(v => v.status === MLFLOW_READY);
  const pending = sorted.filter(v => v.status !== MLFLOW_READY);
  const latest = ready[0];

  const deprecationTag = tags[options.deprecationTag];
  const tagged =
    deprecationTag !== undefined &&
    deprecationTag.trim().toLowerCase() !== 'false';
  const allArchived =
    sorted.length > 0 && sorted.every(v => v.current_stage === 'Archived');
  const inProduction = ready.some(v => v.current_stage === 'Production');
  let lifecycle = inProduction ? 'production' : 'experimental';
  if (tagged || allArchived) lifecycle = 'deprecated';

  const aliases: Record<string, string> = {};
  for (const a of model.aliases ?? []) {
    if (typeof a?.alias === 'string' && a.version !== undefined) {
      aliases[a.alias] = String(a.version);
    }
  }

  const links: EntityLink[] = [];
  const runLink = httpUrl(latest?.run_link);
  if (runLink)
    links.push({
      url: runLink,
      title: `MLflow run of version ${latest!.version}`,
    });
  const sourceLink = httpUrl(latest?.source);
  if (sourceLink)
    links.push({
      url: sourceLink,
      title: `Artifacts of version ${latest!.version}`,
    });
  const pageUrl = options.modelPageUrl(model.name);
  links.push({ url: pageUrl, title: 'MLflow registry' });

  const annotations: Record<string, string> = {
    [ANNOTATION_LOCATION]: `url:${pageUrl}`,
    [ANNOTATION_ORIGIN_LOCATION]: `url:${pageUrl}`,
    [INGESTION_ANNOTATIONS.source]: `mlflow:${options.sourceId}`,
    [INGESTION_ANNOTATIONS.remoteId]: model.name,
    [INGESTION_ANNOTATIONS.sourceUrl]: pageUrl,
    [INGESTION_ANNOTATIONS.versions]: JSON.stringify(
      ready.map(v => ({
        version: v.version,
        stage: v.current_stage,
        source: v.source,
        runId: v.run_id,
        runLink: httpUrl(v.run_link),
        createdAt: timestamp(v.creation_timestamp),
      })),
    ),
  };
  if (latest?.version !== undefined) {
    annotations[INGESTION_ANNOTATIONS.revision] = String(latest.version);
  }
  if (pending.length > 0) {
    annotations[INGESTION_ANNOTATIONS.pendingVersions] = JSON.stringify(
      pending.map(v => ({ version: v.version, status: v.status ?? 'UNKNOWN' })),
    );
  }
  if (Object.keys(aliases).length > 0) {
    annotations[INGESTION_ANNOTATIONS.aliases] = JSON.stringify(aliases);
  }
  if (Object.keys(tags).length > 0) {
    annotations[INGESTION_ANNOTATIONS.tags] = JSON.stringify(tags);
  }
  if (latest?.model_metrics?.length) {
    annotations[INGESTION_ANNOTATIONS.metrics] = JSON.stringify(
      latest.model_metrics
        .filter(m => typeof m?.key === 'string' && typeof m.value === 'number')
        .map(m => ({
          name: m.key,
          value: m.value,
          ...(m.dataset_name ? { dataset: m.dataset_name } : {}),
          ...(m.step !== undefined ? { step: Number(m.step) } : {}),
        })),
    );
  }
  if (latest?.model_params?.length) {
    const params: Record<string, string> = {};
    for (const p of latest.model_params) {
      if (typeof p?.name === 'string') params[p.name] = String(p.value ?? '');
    }
    annotations[INGESTION_ANNOTATIONS.params] = JSON.stringify(params);
  }
  const updated = timestamp(model.last_updated_timestamp);
  if (updated)
    annotations[MODEL_HUB_ANNOTATIONS.lastActivity] = updated.slice(0, 10);

  const task = tags.task && TASKS.has(tags.task) ? tags.task : 'other';
  const license =
    tags.license &&
    /^[A-Za-z0-9.+:() -]+$/.test(tags.license) &&
    !checkSpdxExpression(tags.license)
      ? tags.license
      : options.defaultLicense;

  const description = model.description?.trim();
  return {
    apiVersion: 'modelhub.io/v1alpha1',
    kind: 'Model',
    metadata: {
      name: entityNameFor(`mlflow-${options.sourceId}`, model.name),
      namespace: options.namespace,
      title: model.name,
      ...(description ? { description } : {}),
      annotations,
      links,
    },
    spec: {
      type: asSlug(tags.type) ?? 'other',
      task,
      ...(asSlug(tags.framework) ? { framework: asSlug(tags.framework) } : {}),
      owner: ownerFrom(tags[options.ownerTag], options.defaultOwner),
      lifecycle,
      tier: 'community',
      license,
    },
  };
}
