/**
 * How a Keras config object named from Keras itself (`module` under
 * `keras`, `keras.src`, `tf_keras`, ...) is judged. Keras resolves any
 * public name under `keras.*` and any attribute of a `keras.src.*` module,
 * and some of them act on load: `utils.get_file` downloads,
 * `models.load_model` loads another model (whose Lambda runs),
 * `config.enable_unsafe_deserialization` turns safe mode off for the rest
 * of the load. So only what is known to be a plain object passes.
 */

/** Module prefixes whose objects ship with Keras itself. */
export const KERAS_MODULES =
  /^(?:keras|tf_keras|tensorflow\.keras|tensorflow\.python\.keras|keras_core)(?:\.|$)/;

/**
 * Keras API sections whose objects are plain values on load: layers,
 * activations, initializers, regularizers, constraints, losses, metrics,
 * optimizers (and their schedules), dtype policies, quantizers, seed
 * generators, and the tensor operations a functional model records
 * (`keras.src.ops.numpy.Add`; a function they take is judged on its own).
 */
const SAFE_SECTIONS = new Set([
  'layers',
  'activations',
  'initializers',
  'regularizers',
  'constraints',
  'losses',
  'metrics',
  'optimizers',
  'dtype_policies',
  'mixed_precision',
  'quantizers',
  'random',
  'ops',
]);

/** Model and policy classes named from `keras`, `keras.models` or `keras.engine`. */
const SAFE_MODEL_CLASSES = new Set([
  'Functional',
  'Sequential',
  'Model',
  'InputLayer',
  'InputSpec',
  'KerasTensor',
  'Variable',
  'DTypePolicy',
  'FloatDTypePolicy',
  'QuantizedDTypePolicy',
  'QuantizedFloat8DTypePolicy',
  'DTypePolicyMap',
]);
const MODEL_SECTIONS = new Set(['', 'models', 'engine', 'backend']);

/** Keras names that act when a model is loaded, wherever they are exported. */
const DANGEROUS: Record<string, string> = {
  get_file: 'downloads a file from a URL and writes it to disk',
  load_model: 'loads a second model, whose own layers (Lambdas) run',
  load_weights: 'reads a second file named in the config',
  model_from_json: 'builds a second model from a config string',
  model_from_yaml: 'builds a second model from a config string',
  model_from_config: 'builds a second model from a config',
  deserialize_keras_object: 'builds objects from a config string',
  enable_unsafe_deserialization:
    'turns safe mode off, so Lambda bytecode loaded after it runs',
  TFSMLayer:
    'loads the TensorFlow SavedModel at a path in its config, whose graph can read and write files',
  TorchModuleWrapper:
    'holds a torch.save pickle in its config, which Keras unpickles',
  JaxLayer: 'calls the Python functions named in its config',
  FlaxLayer: 'calls the Python module named in its config',
};

/** Lookup layers whose `vocabulary` may be a path read with tf.io.gfile. */
const VOCABULARY_LAYERS = new Set([
  'StringLookup',
  'IntegerLookup',
  'TextVectorization',
  'IndexLookup',
]);

/**
 * The file a Keras object reads on load, named in its config: a lookup
 * layer's `vocabulary` given as a path, or a feature column's
 * `vocabulary_file` (read with tf.io.gfile, so also gs:// or a URL).
 */
export function fileReferenceOf(
  className: string,
  config: unknown,
): string | undefined {
  const c = (config ?? {}) as {
    vocabulary?: unknown;
    vocabulary_file?: unknown;
  };
  const layer = className.slice(className.lastIndexOf('.') + 1);
  if (VOCABULARY_LAYERS.has(layer) && typeof c.vocabulary === 'string') {
    return c.vocabulary;
  }
  return typeof c.vocabulary_file === 'string' ? c.vocabulary_file : undefined;
}

/** What the config names: a function (`class_name: "function"`) or a class. */
export function namedObject(o: Record<string, unknown>): string | undefined {
  if (typeof o.class_name !== 'string') return undefined;
  if (o.class_name === 'function' && typeof o.config === 'string') {
    return o.config;
  }
  return o.class_name;
}

/** The judgement of one Keras object. */
export type KerasJudgement =
  | { kind: 'safe' }
  | { kind: 'dangerous'; rule: string; reason: string }
  | { kind: 'unlisted' };

/**
 * Judges an object whose `module` is under Keras: `dangerous` for names that
 * act on load, `safe` for the sections of plain objects, `unlisted` for
 * anything else.
 */
export function judgeKerasObject(module: string, name: string): KerasJudgement {
  // keras.src.layers.core.dense + Dense, keras + layers.Dense, keras.layers + Dense
  const path = [
    ...module
      .replace(KERAS_MODULES, '')
      .replace(/^src(?:\.|$)/, '')
      .split('.'),
    ...name.split('.'),
  ].filter(Boolean);
  const leaf = path[path.length - 1] ?? '';
  const section = path.length > 1 ? path[0] : '';
  if (Object.prototype.hasOwnProperty.call(DANGEROUS, leaf)) {
    return {
      kind: 'dangerous',
      rule: 'keras/dangerous-object',
      reason: DANGEROUS[leaf],
    };
  }
  if (SAFE_SECTIONS.has(section)) return { kind: 'safe' };
  if (MODEL_SECTIONS.has(section) && SAFE_MODEL_CLASSES.has(leaf)) {
    return { kind: 'safe' };
  }
  return { kind: 'unlisted' };
}
