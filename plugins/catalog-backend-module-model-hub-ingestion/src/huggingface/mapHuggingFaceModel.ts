import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  Entity,
} from '@backstage/catalog-model';
import { JsonObject } from '@backstage/types';
import {
  checkSpdxExpression,
  MODEL_HUB_ANNOTATIONS,
  MODEL_TASKS,
} from '@internal/plugin-model-hub-common';
import { INGESTION_ANNOTATIONS } from '../annotations';
import { asSlug, entityNameFor } from '../naming';

/** The fields of `GET /api/models/{id}` we read; every one optional. */
export interface HuggingFaceModelInfo {
  id?: string;
  sha?: string;
  lastModified?: string;
  gated?: boolean | string;
  private?: boolean;
  library_name?: string;
  pipeline_tag?: string;
  tags?: string[];
  cardData?: {
    license?: string | string[];
    base_model?: string | string[];
    base_model_relation?: string;
    datasets?: string | string[];
    new_version?: string;
  };
}

/** What the Hugging Face mapping needs to know about its source. */
export interface HuggingFaceMappingOptions {
  sourceId: string;
  endpoint: string;
  owner: string;
  defaultLicense: string;
  namespace: string;
}

const TASKS = new Set<string>(MODEL_TASKS as readonly string[]);
const RELATIONS: Record<string, string> = {
  finetune: 'fine-tune',
  'fine-tune': 'fine-tune',
  adapter: 'adapter',
  merge: 'merge',
  quantized: 'quantization',
  quantization: 'quantization',
  distillation: 'distillation',
};

function first(v: string | string[] | undefined): string | undefined {
  const x = Array.isArray(v) ? v[0] : v;
  return typeof x === 'string' && x.trim() ? x.trim() : undefined;
}

function licenseOf(value: string | undefined, fallback: string): string {
  if (!value) return fallback;
  if (/^[A-Za-z0-9.+:() -]+$/.test(value) && !checkSpdxExpression(value)) {
    return value;
  }
  // Hub license ids (llama3, openrail, other) are not SPDX: keep them as a LicenseRef.
  const ref = value.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '');
  return ref ? `LicenseRef-hf-${ref}` : fallback;
}

/** The catalog name of a Hugging Face repo of a source. */
export function huggingFaceEntityName(sourceId: string, repoId: string) {
  return entityNameFor(`hf-${sourceId}`, repoId);
}

/**
 * Maps a Hugging Face model to a `kind: Model` entity: `tier: external`,
 * owned by the configured platform team, pinned to the commit `sha`.
 * License, base model, datasets and successor come from `cardData` when it
 * is there; counters that move every hour (downloads, likes) are left out so
 * an unchanged model hashes the same and is not re-emitted.
 */
export function mapHuggingFaceModel(
  info: HuggingFaceModelInfo & { id: string },
  securityStatus: string,
  options: HuggingFaceMappingOptions,
): Entity {
  const card = info.cardData ?? {};
  const url = `${options.endpoint.replace(/\/+$/, '')}/${info.id}`;
  const annotations: Record<string, string> = {
    [ANNOTATION_LOCATION]: `url:${url}`,
    [ANNOTATION_ORIGIN_LOCATION]: `url:${url}`,
    [INGESTION_ANNOTATIONS.source]: `huggingface:${options.sourceId}`,
    [INGESTION_ANNOTATIONS.remoteId]: info.id,
    [INGESTION_ANNOTATIONS.sourceUrl]: url,
    [MODEL_HUB_ANNOTATIONS.upstream]: url,
    [INGESTION_ANNOTATIONS.gated]: String(info.gated ?? false),
    [INGESTION_ANNOTATIONS.securityStatus]: securityStatus,
  };
  if (info.sha) annotations[INGESTION_ANNOTATIONS.revision] = info.sha;
  const datasets = Array.isArray(card.datasets)
    ? card.datasets.filter(d => typeof d === 'string')
    : first(card.datasets);
  if (datasets && datasets.length > 0) {
    annotations[INGESTION_ANNOTATIONS.datasets] = JSON.stringify(
      Array.isArray(datasets) ? datasets : [datasets],
    );
  }
  if (first(card.new_version)) {
    annotations[INGESTION_ANNOTATIONS.successor] = first(card.new_version)!;
  }
  if (info.lastModified && /^\d{4}-\d{2}-\d{2}/.test(info.lastModified)) {
    annotations[MODEL_HUB_ANNOTATIONS.lastActivity] = info.lastModified.slice(
      0,
      10,
    );
  }
  const base = first(card.base_model);
  const spec: JsonObject = {
    type: 'other',
    task:
      info.pipeline_tag && TASKS.has(info.pipeline_tag)
        ? info.pipeline_tag
        : 'other',
    owner: options.owner,
    lifecycle: 'experimental',
    tier: 'external',
    license: licenseOf(first(card.license), options.defaultLicense),
  };
  const framework = asSlug(info.library_name);
  if (framework) spec.framework = framework;
  if (base) {
    spec.baseModel = {
      ref: `model:${options.namespace}/${huggingFaceEntityName(
        options.sourceId,
        base,
      )}`,
      relation: RELATIONS[card.base_model_relation ?? ''] ?? 'fine-tune',
    };
  }
  return {
    apiVersion: 'modelhub.io/v1alpha1',
    kind: 'Model',
    metadata: {
      name: huggingFaceEntityName(options.sourceId, info.id),
      namespace: options.namespace,
      title: info.id,
      annotations,
      links: [{ url, title: 'Hugging Face' }],
    },
    spec,
  };
}
