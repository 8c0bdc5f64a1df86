import {
  Entity,
  entityKindSchemaValidator,
  makeValidator,
  parseEntityRef,
} from '@backstage/catalog-model';

const entityNameRules = makeValidator();
import { checkSpdxExpression } from './spdx';

/** The outcome of validating an entity against a Model Hub convention. */
export interface EntityValidationResult {
  /** `true` when `errors` is empty. */
  valid: boolean;
  /** Each problem as `<JSON pointer> <what is wrong>`, e.g. `/spec/tier must be equal to one of the allowed values: official, community, external`. */
  errors: string[];
}

/**
 * Rewrites the message of the `TypeError` thrown by Backstage's
 * `entityKindSchemaValidator` (`<path> <ajv message> - <param>: <value>, ...`)
 * into a sentence that names the field and the allowed values.
 */
export function formatSchemaError(message: string): string {
  const m = /^(\S+) (.*?)(?: - (\w+: .*))?$/s.exec(message);
  if (!m) return message;
  const [, rawPath, text, rawParams] = m;
  const path = rawPath === '<root>' ? '/' : rawPath;
  const params = new Map<string, string>();
  for (const part of (rawParams ?? '').split(/, (?=\w+: )/)) {
    const i = part.indexOf(': ');
    if (i > 0) params.set(part.slice(0, i), part.slice(i + 2));
  }
  if (params.has('allowedValues')) {
    const values = params.get('allowedValues')!.split(',').join(', ');
    return `${path} ${text}: ${values}`;
  }
  if (params.has('allowedValue')) {
    return `${path} ${text}: ${params.get('allowedValue')}`;
  }
  if (params.has('additionalProperty')) {
    return `${path} must NOT have additional property '${params.get(
      'additionalProperty',
    )}'`;
  }
  return `${path} ${text}`;
}

/**
 * `entityKindSchemaValidator(schema)`, compiled on first use rather than when
 * the module loads: compiling with ajv costs the browser hundreds of
 * milliseconds on every full page load, and most pages never validate.
 */
export function lazySchemaValidator<T extends Entity>(
  schema: unknown,
): (data: unknown) => T | false {
  let validator: ((data: unknown) => T | false) | undefined;
  return data => {
    validator ??= entityKindSchemaValidator<T>(schema);
    return validator(data);
  };
}

/** Runs a validator made by `entityKindSchemaValidator`, turning its throw into a formatted message. */
export function runSchemaValidator(
  validator: (data: unknown) => unknown,
  data: unknown,
): string | undefined {
  try {
    validator(data);
    return undefined;
  } catch (e) {
    if (e instanceof TypeError) return formatSchemaError(e.message);
    throw e;
  }
}

/** Checks that `value` at JSON pointer `path` is an SPDX expression; pushes a message to `errors` if not. */
export function checkLicenseField(
  value: string,
  path: string,
  errors: string[],
): void {
  const problem = checkSpdxExpression(value);
  if (problem) {
    errors.push(`${path} is not a valid SPDX license expression: ${problem}`);
  }
}

/**
 * Checks that `value` at JSON pointer `path` is an entity ref whose kind (given
 * or defaulted) is one of `kinds`; pushes a message to `errors` if not.
 */
export function checkEntityRefField(
  value: string,
  path: string,
  options: { kinds: string[]; defaultKind: string; defaultNamespace: string },
  errors: string[],
): void {
  let parsed: { kind: string; namespace: string; name: string };
  try {
    parsed = parseEntityRef(value, {
      defaultKind: options.defaultKind,
      defaultNamespace: options.defaultNamespace,
    });
  } catch (e) {
    errors.push(`${path} is not a valid entity ref: ${(e as Error).message}`);
    return;
  }
  const { kind, namespace, name } = parsed;
  let invalid: string | undefined;
  if (!entityNameRules.isValidKind(kind)) {
    invalid = `kind "${kind}"`;
  } else if (!entityNameRules.isValidNamespace(namespace)) {
    invalid = `namespace "${namespace}"`;
  } else if (!entityNameRules.isValidEntityName(name)) {
    invalid = `name "${name}"`;
  }
  if (invalid) {
    errors.push(
      `${path} is not a valid entity ref: "${value}" has an invalid ${invalid} (expected [<kind>:][<namespace>/]<name>)`,
    );
    return;
  }
  if (
    !options.kinds.some(
      k => k.toLocaleLowerCase('en-US') === kind.toLocaleLowerCase('en-US'),
    )
  ) {
    errors.push(
      `${path} must reference a ${options.kinds.join(
        ' or ',
      )}, got kind ${kind} in "${value}"`,
    );
  }
}
