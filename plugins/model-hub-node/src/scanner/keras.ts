import { ScanReport } from './report';
import { classifyGlobal } from './pickle/globals';
import { parsePythonJson } from './pythonJson';
import {
  KERAS_MODULES,
  fileReferenceOf,
  judgeKerasObject,
  namedObject,
} from './kerasObjects';

/**
 * TensorFlow functions a `TFOpLambda` may name (tf.keras writes one for
 * every TF operation in a functional model, `x + 1` is `math.add`): math,
 * neural-network, linear-algebra and array operations, which touch no
 * files, processes or network. Anything else (`io.write_file`,
 * `py_function`, `raw_ops.*`, `compat.v1.py_func`) is a Lambda.
 */
const SAFE_TF_OPS =
  /^(?:(?:math|nn|linalg|__operators__|bitwise|signal)\.[A-Za-z0-9_]+|(?:reshape|concat|expand_dims|squeeze|cast|transpose|stack|unstack|split|tile|shape|size|rank|zeros_like|ones_like|fill|where|clip_by_value|gather|gather_nd|one_hot|range|pad|slice|strided_slice|identity|stop_gradient|boolean_mask|broadcast_to|einsum|matmul|tensordot|sort|argsort|cumsum|reduce_[a-z_]+|argmax|argmin|maximum|minimum|abs|square|sqrt|exp|sigmoid|tanh|add|subtract|multiply|divide|truediv|nn_ops_relu|compat\.v1\.(?:gather|shape|size|transpose))|image\.(?:resize|convert_image_dtype|per_image_standardization))$/;

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
    // Keras resolves module "keras" + class_name "layers.Lambda" too.
    const layer = className?.slice(className.lastIndexOf('.') + 1);
    if (layer === 'TFOpLambda' || layer === 'SlicingOpLambda') {
      const cfg = (o.config ?? {}) as Record<string, unknown>;
      const fn = typeof cfg.function === 'string' ? cfg.function : undefined;
      if (fn === undefined || !SAFE_TF_OPS.test(fn)) {
        report.add(
          'high',
          'keras/lambda-layer',
          `${layer} layer ${JSON.stringify(
            cfg.name ?? '',
          )} calls the TensorFlow function ${JSON.stringify(
            fn ?? cfg.function ?? null,
          )} when the model is built; only math and array operations are known to be safe`,
          `${location}:${here}`,
        );
      }
    } else if (layer === 'Lambda') {
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
      KERAS_MODULES.test(o.module)
    ) {
      const name = namedObject(o) ?? className;
      const j = judgeKerasObject(o.module, name);
      if (j.kind === 'dangerous') {
        report.add(
          'high',
          j.rule,
          `${o.module}.${name} ${j.reason}`,
          `${location}:${here}`,
        );
      } else if (j.kind === 'unlisted') {
        report.fail(
          'keras/unlisted-object',
          `${o.module}.${name} is not among the Keras objects known to be safe to load (layers, activations, initializers, regularizers, constraints, losses, metrics, optimizers); have it reviewed`,
          `${location}:${here}`,
        );
      }
    } else if (className && typeof o.module === 'string') {
      const name = namedObject(o) ?? className;
      const c = classifyGlobal(o.module, name);
      const danger = c.rule === 'pickle/dangerous-import';
      report.add(
        danger ? c.severity! : 'medium',
        'keras/custom-object',
        `custom object ${o.module}.${name}${
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
    const file = className ? fileReferenceOf(className, o.config) : undefined;
    if (file !== undefined) {
      report.add(
        'high',
        'keras/file-reference',
        `${className} reads ${JSON.stringify(
          file.slice(0, 200),
        )} on the loading host (or a URL) when the model is loaded`,
        `${location}:${here}`,
      );
    }
    const nowInLambda = inLambda || layer === 'Lambda';
    for (const [k, x] of Object.entries(o))
      walk(x, `${path}.${k}`, depth + 1, nowInLambda);
  };
  walk(config, '', 0, false);
}
