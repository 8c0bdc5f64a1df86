import {
  CompoundEntityRef,
  Entity,
  parseEntityRef,
} from '@backstage/catalog-model';
import type { ModelEntityV1alpha1 } from './ModelEntityV1alpha1';
import { MODEL_KIND } from './vocabulary';

/**
 * Parses a Model ref such as `model:default/llama-3-8b`, `default/llama-3-8b`
 * or `llama-3-8b` (kind defaults to model, namespace to `defaultNamespace` or
 * `default`). Throws a `TypeError` if the ref names another kind.
 */
export function parseModelRef(
  ref: string,
  context?: { defaultNamespace?: string },
): CompoundEntityRef {
  const parsed = parseEntityRef(ref, {
    defaultKind: MODEL_KIND,
    defaultNamespace: context?.defaultNamespace ?? 'default',
  });
  if (parsed.kind.toLocaleLowerCase('en-US') !== 'model') {
    throw new TypeError(
      `"${ref}" is not a Model ref: it names kind ${parsed.kind}`,
    );
  }
  return { kind: 'model', namespace: parsed.namespace, name: parsed.name };
}

/** The spec fields of a Model that reference other entities. */
export type ModelReferenceField =
  | 'owner'
  | 'steward'
  | 'system'
  | 'baseModel'
  | 'trainingData'
  | 'metricDataset'
  | 'evaluationDataset'
  | 'successor';

/** One reference from a Model to another entity, as declared in its spec. */
export interface ModelSpecReference {
  /** Which spec field declares the reference. */
  field: ModelReferenceField;
  /** JSON pointer of the declaring value, e.g. `/spec/trainingData/0`. */
  path: string;
  /** The referenced entity; kind and namespace in lower case. */
  target: CompoundEntityRef;
}

/**
 * The default kind of each entity-ref field of a Model spec, so every consumer
 * (catalog processor, UI, CLI) resolves short refs the same way.
 */
export const MODEL_REF_DEFAULT_KINDS: Record<ModelReferenceField, string> = {
  owner: 'Group',
  steward: 'User',
  system: 'System',
  baseModel: 'Model',
  trainingData: 'Resource',
  metricDataset: 'Resource',
  evaluationDataset: 'Resource',
  successor: 'Model',
};

/** Resolves `ref` relative to `entity`'s namespace, with the given default kind. */
export function resolveEntityRefFrom(
  entity: Entity,
  ref: string,
  defaultKind: string,
): CompoundEntityRef {
  const parsed = parseEntityRef(ref, {
    defaultKind,
    defaultNamespace: entity.metadata.namespace ?? 'default',
  });
  return {
    kind: parsed.kind.toLocaleLowerCase('en-US'),
    namespace: parsed.namespace.toLocaleLowerCase('en-US'),
    name: parsed.name,
  };
}

/**
 * Lists every entity a (validated) Model references from its spec, with the
 * field it comes from. Throws on a malformed ref, as validation would.
 */
export function getModelSpecReferences(
  model: ModelEntityV1alpha1,
): ModelSpecReference[] {
  const out: ModelSpecReference[] = [];
  const add = (
    field: ModelReferenceField,
    path: string,
    ref: string | undefined,
  ) => {
    if (ref !== undefined) {
      out.push({
        field,
        path,
        target: resolveEntityRefFrom(
          model,
          ref,
          MODEL_REF_DEFAULT_KINDS[field],
        ),
      });
    }
  };
  const spec = model.spec;
  add('owner', '/spec/owner', spec.owner);
  add('steward', '/spec/steward', spec.steward);
  add('system', '/spec/system', spec.system);
  add('baseModel', '/spec/baseModel/ref', spec.baseModel?.ref);
  spec.trainingData?.forEach((ref, i) =>
    add('trainingData', `/spec/trainingData/${i}`, ref),
  );
  spec.metrics?.forEach((m, i) =>
    add('metricDataset', `/spec/metrics/${i}/dataset`, m.dataset),
  );
  add(
    'evaluationDataset',
    '/spec/evaluation/dataset',
    spec.evaluation?.dataset,
  );
  add('successor', '/spec/successor', spec.successor);
  return out;
}
