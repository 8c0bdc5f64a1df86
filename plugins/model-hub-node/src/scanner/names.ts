import { basename } from 'node:path';

/**
 * Model formats the scanner does not read whose loaders run what the file
 * says: a TensorFlow graph (`saved_model.pb`, `keras_metadata.pb`, a frozen
 * graph) holds ops that read and write files (a SavedModel's main_op runs
 * on load) and Keras layer configs, Lambdas included; a
 * PaddlePaddle program (`.pdmodel`, its parameters in `.pdiparams`) is a
 * protobuf of operators the Paddle executor runs.
 */
export const UNREAD_MODEL_EXTENSIONS: readonly string[] = [
  '.pb',
  '.pdmodel',
  '.pdiparams',
];

/**
 * File-name extensions that claim a model format. A file with one of these
 * names whose content parses as no supported format is `error`, never
 * `unsupported`: the loader it is meant for may still accept it.
 */
export const MODEL_EXTENSIONS: readonly string[] = [
  '.pkl',
  '.pickle',
  '.pt',
  '.pth',
  '.bin',
  '.ckpt',
  '.joblib',
  // paddle.load unpickles these; scikit-learn models are often saved as .sav
  '.pdparams',
  '.pdopt',
  '.sav',
  '.npy',
  '.npz',
  '.safetensors',
  '.gguf',
  '.keras',
  '.h5',
  '.hdf5',
  '.onnx',
  '.msgpack',
  '.tflite',
  ...UNREAD_MODEL_EXTENSIONS,
];

/** The model-format extension a path's name claims, if any (case-insensitive). */
export function claimedModelExtension(path: string): string | undefined {
  const name = basename(path).toLowerCase();
  return MODEL_EXTENSIONS.find(ext => name.endsWith(ext));
}

/** Whether a path names Python source (code that ships with a model). */
export function isPythonSourceName(path: string): boolean {
  return /\.pyw?$/i.test(basename(path));
}

/** Kinds of code a loader runs that ship beside the weights. */
export type ShippedCode = 'source' | 'bytecode' | 'native';

/**
 * What code a path names: Python source, compiled bytecode (`.pyc`, which
 * Python imports, from `__pycache__` even instead of its source), or a
 * native library (`.so`, `.pyd`, `.dll`, `.dylib`) Python can import or
 * ctypes can load.
 */
export function shippedCodeOfName(path: string): ShippedCode | undefined {
  const name = basename(path);
  if (isPythonSourceName(name)) return 'source';
  if (/\.py[co]$/i.test(name)) return 'bytecode';
  if (/\.(?:so(?:\.\d+)*|pyd|dll|dylib)$/i.test(name)) return 'native';
  return undefined;
}

/** Whether a path names a JSON file that may carry `auto_map` entries. */
export function isJsonName(path: string): boolean {
  return /\.json$/i.test(basename(path));
}

/** Whether a path names a Jinja template (`chat_template.jinja`). */
export function isJinjaName(path: string): boolean {
  return /\.jinja2?$/i.test(basename(path));
}
