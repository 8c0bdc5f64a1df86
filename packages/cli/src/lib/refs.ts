// The parser alone: @backstage/catalog-model costs ~0.2–0.5 s of every start.
// eslint-disable-next-line @backstage/no-forbidden-package-imports
import {
  parseRef,
  stringifyRef,
} from '@internal/plugin-model-hub-common/src/api/entityRefs';

/** A model reference with an optional version or alias: `model:default/name@1.2.0`. */
export interface VersionedModelRef {
  entityRef: string;
  /** A semver or an alias; undefined when none was given. */
  selector?: string;
}

/** Parses `model:default/NAME@VERSION|ALIAS` (kind and namespace optional). */
export function parseVersionedModelRef(input: string): VersionedModelRef {
  const at = input.lastIndexOf('@');
  const refPart = at > 0 ? input.slice(0, at) : input;
  const selector = at > 0 ? input.slice(at + 1) : undefined;
  if (selector !== undefined && selector.length === 0) {
    throw new Error(`'${input}' has an empty version after '@'`);
  }
  let parsed;
  try {
    parsed = parseRef(refPart, {
      defaultKind: 'model',
      defaultNamespace: 'default',
    });
  } catch (e) {
    throw new Error(
      `'${input}' is not a model reference: ${(e as Error).message}`,
    );
  }
  if (parsed.kind.toLocaleLowerCase('en-US') !== 'model') {
    throw new Error(`'${input}' refers to a ${parsed.kind}, not a model`);
  }
  return { entityRef: stringifyRef(parsed), selector };
}
