import { ScanReport } from './report';
import { classifyGlobal } from './pickle/globals';
import { parsePythonJson } from './pythonJson';

/** Module prefixes whose registered objects ship with Keras itself. */
const KERAS_MODULES = /^(keras|tf_keras|tensorflow\.keras|keras_core)(\.|$)/;

/** Whether a `config.json` is a Keras model config (top-level `class_name`). */
export function looksLikeKerasConfig(text: Buffer): boolean {
  try {
    const v = parsePythonJson(text) as { class_name?: unknown } | null;
    return (
      !!v &&
      typeof v === 'object' &&
      !Array.isArray(v) &&
      typeof v.class_name === 'string'
    );
  } catch {
    return false;
  }
}

/**
 * Walks a Keras v3 `config.json` (or a legacy `model_config`) for Lambda
 * layers, whose Python code runs on load, and for custom objects that
 * import code from outside Keras.
 */
export function scanKerasConfig(
  text: string,
  report: ScanReport,
  location: string,
): void {
  let config: unknown;
  try {
    config = parsePythonJson(text);
  } catch (e) {
    report.fail(
      'keras/bad-config',
      `config is not valid JSON: ${(e as Error).message}`,
      location,
    );
    return;
  }
  let nodes = 0;
  const walk = (v: unknown, path: string, depth: number, inLambda: boolean) => {
    if (++nodes > 5_000_000 || depth > 200) {
      if (report.parsedFully)
        report.fail(
          'keras/limit-exceeded',
          'config is too large or deep to walk',
          location,
        );
      return;
    }
    if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, `${path}[${i}]`, depth + 1, inLambda));
      return;
    }
    if (!v || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    const className =
      typeof o.class_name === 'string' ? o.class_name : undefined;
    const here = className ? `${path}(${className})` : path;
    if (className === 'Lambda') {
      const cfg = (o.config ?? {}) as Record<string, unknown>;
      const fn = cfg.function as unknown;
      const hasCode =
        Array.isArray(fn) ||
        typeof fn === 'string' ||
        (!!fn &&
          typeof fn === 'object' &&
          JSON.stringify(fn).includes('"code"'));
      report.add(
        hasCode ? 'critical' : 'high',
        'keras/lambda-layer',
        hasCode
          ? `Lambda layer ${JSON.stringify(
              cfg.name ?? '',
            )} embeds Python bytecode that runs when the model is loaded`
          : `Lambda layer ${JSON.stringify(
              cfg.name ?? '',
            )} calls a Python function when the model is loaded`,
        `${location}:${here}`,
      );
    } else if (className === '__lambda__' && !inLambda) {
      report.add(
        'critical',
        'keras/lambda-layer',
        'serialized Python lambda (bytecode) in the config',
        `${location}:${here}`,
      );
    } else if (
      className &&
      typeof o.module === 'string' &&
      !KERAS_MODULES.test(o.module)
    ) {
      const c = classifyGlobal(o.module, className);
      const danger = c.rule === 'pickle/dangerous-import';
      report.add(
        danger ? c.severity! : 'medium',
        'keras/custom-object',
        `custom object ${o.module}.${className}${
          typeof o.registered_name === 'string'
            ? ` (registered as ${o.registered_name})`
            : ''
        } needs code outside Keras${danger ? `: ${c.reason}` : ''}`,
        `${location}:${here}`,
      );
    } else if (
      className &&
      typeof o.registered_name === 'string' &&
      o.registered_name.includes('>') &&
      o.module === undefined
    ) {
      report.add(
        'medium',
        'keras/custom-object',
        `custom object ${o.registered_name} needs code outside Keras`,
        `${location}:${here}`,
      );
    }
    const nowInLambda = inLambda || className === 'Lambda';
    for (const [k, x] of Object.entries(o))
      walk(x, `${path}.${k}`, depth + 1, nowInLambda);
  };
  walk(config, '', 0, false);
}
