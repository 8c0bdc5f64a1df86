import type { CompoundEntityRef } from '@backstage/catalog-model';

/**
 * Parses `[kind:][namespace/]name` exactly as `parseEntityRef` of
 * `@backstage/catalog-model` does (same splitting, defaults and errors), for
 * code that must not load that package: requiring it evaluates every kind's
 * schema and ajv, ~0.2–0.5 s of each `model-hub publish` and `pull` start
 * on this hardware, where the API paths need nothing but this split.
 */
export function parseRef(
  ref: string | { kind?: string; namespace?: string; name: string },
  context: { defaultKind?: string; defaultNamespace?: string } = {},
): CompoundEntityRef {
  if (!ref) {
    throw new Error(`Entity reference must not be empty`);
  }
  const defaultNamespace = context.defaultNamespace || 'default';
  let kind: string | undefined;
  let namespace: string | undefined;
  let name: string;
  if (typeof ref === 'string') {
    let colon = ref.indexOf(':');
    const slash = ref.indexOf('/');
    if (slash !== -1 && slash < colon) colon = -1;
    const k = colon === -1 ? undefined : ref.slice(0, colon);
    const ns = slash === -1 ? undefined : ref.slice(colon + 1, slash);
    name = ref.slice(Math.max(colon + 1, slash + 1));
    if (k === '' || ns === '' || name === '') {
      throw new TypeError(
        `Entity reference "${ref}" was not on the form [<kind>:][<namespace>/]<name>`,
      );
    }
    kind = k ?? context.defaultKind;
    namespace = ns ?? defaultNamespace;
  } else {
    kind = ref.kind ?? context.defaultKind;
    namespace = ref.namespace ?? defaultNamespace;
    name = ref.name;
  }
  const textual = () => JSON.stringify(ref);
  if (!kind) {
    throw new Error(
      `Entity reference ${textual()} had missing or empty kind (e.g. did not start with "component:" or similar)`,
    );
  } else if (!namespace) {
    throw new Error(
      `Entity reference ${textual()} had missing or empty namespace`,
    );
  } else if (!name) {
    throw new Error(`Entity reference ${textual()} had missing or empty name`);
  }
  return { kind, namespace, name };
}

/** `kind:namespace/name`, lower-cased, as `stringifyEntityRef` writes it. */
export function stringifyRef(ref: CompoundEntityRef): string {
  return `${ref.kind}:${ref.namespace}/${ref.name}`.toLowerCase();
}
