import { stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { parseModelRef } from '@internal/plugin-model-hub-common';

/** A Model named by an action input, with the portal paths that show it. */
export interface ModelTarget {
  /** Lower-case entity ref, e.g. `model:default/invoice-extractor`. */
  entityRef: string;
  namespace: string;
  name: string;
  /** The model's catalog page, e.g. `/catalog/default/model/invoice-extractor`. */
  modelPath: string;
}

/**
 * Parses the `model` input of an action (kind defaults to Model, namespace
 * to `default`); anything that is not a Model ref is an InputError.
 */
export function modelTarget(input: string, field = 'model'): ModelTarget {
  let parsed;
  try {
    parsed = parseModelRef(String(input ?? '').trim());
  } catch (e) {
    throw new InputError(
      `Input ${field} "${input}" is not a Model reference: ${
        (e as Error).message
      }`,
    );
  }
  const namespace = parsed.namespace.toLocaleLowerCase('en-US');
  const name = parsed.name;
  return {
    entityRef: stringifyEntityRef({
      kind: 'model',
      namespace,
      name,
    }).toLocaleLowerCase('en-US'),
    namespace,
    name,
    modelPath: catalogModelPath(namespace, name),
  };
}

/** The catalog page of a model: `/catalog/<namespace>/model/<name>`. */
export function catalogModelPath(namespace: string, name: string): string {
  return `/catalog/${encodeURIComponent(namespace)}/model/${encodeURIComponent(
    name,
  )}`;
}
