import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ByteSource, readCsvRecords } from '../../fairness/rows';
import { runIsolatedNodeScript } from './isolatedProcess';
import { packageAssetPath } from '../../../assets/packageAssets';

/** Options of {@link evaluateOnnxClassifier}. */
export interface OnnxEvaluationOptions {
  /** Column holding the true class (a number: 0/1 for binary, a class index otherwise). */
  labelColumn: string;
  /** Feature columns in model input order; default every other column in header order. */
  featureColumns?: string[];
  /** Columns left out of the default features (e.g. sensitive attributes). */
  excludeColumns?: string[];
  /** The label counted as positive for precision/recall/F1 (default 1). */
  positiveLabel?: number;
  /** Most rows read (default 1,000,000). */
  maxRows?: number;
}

/** Metrics measured by running a model over a labelled benchmark. */
export interface OnnxEvaluationResult {
  rows: number;
  featureColumns: string[];
  inputName: string;
  outputName: string;
  accuracy: number;
  /** Present for binary benchmarks (labels 0/1). */
  precision?: number;
  recall?: number;
  f1?: number;
  confusion?: { tp: number; fp: number; tn: number; fn: number };
  /** Milliseconds for the inference call over all rows. */
  inferenceMs: number;
}

/** A benchmark or model the evaluation cannot use; the message says why. */
export class BenchmarkInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BenchmarkInputError';
  }
}

/** The script that runs onnxruntime in a child process (kept out of the backend's memory). */
const ONNX_WORKER = packageAssetPath(
  'src/gauntlet/checks/performance/onnxWorker.js',
);

/** Longest an evaluation may run before it is killed. */
const EVALUATION_TIMEOUT_MS = 5 * 60 * 1000;

interface WorkerOutput {
  inputName: string;
  outputName: string;
  type: string;
  dims: number[];
  inferenceMs: number;
  values: Float64Array;
}

/**
 * Runs the model in a child process (`onnxWorker.js`), which loads
 * onnxruntime-node only there: a crashing or hanging model cannot take the
 * caller down, and the 290 MB runtime never loads into the backend itself.
 */
async function runInWorker(
  model: Uint8Array,
  input: Float32Array,
  rows: number,
  cols: number,
): Promise<WorkerOutput> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'model-hub-onnx-'));
  try {
    await fs.writeFile(path.join(dir, 'model.onnx'), model);
    await fs.writeFile(
      path.join(dir, 'input.f32'),
      Buffer.from(input.buffer, input.byteOffset, input.byteLength),
    );
    await fs.writeFile(
      path.join(dir, 'input.json'),
      JSON.stringify({ rows, cols }),
    );
    // A minimal environment: the model never sees the backend's secrets.
    const stdout = await runIsolatedNodeScript(ONNX_WORKER, [dir], {
      timeoutMs: EVALUATION_TIMEOUT_MS,
    }).then(
      out => out.stdout,
      e => {
        throw new BenchmarkInputError(
          `the ONNX evaluation process failed (${(e as Error).message})`,
        );
      },
    );
    const parsed = JSON.parse(stdout.trim().split('\n').pop() ?? '{}');
    if (parsed.error) {
      throw new BenchmarkInputError(`onnxruntime: ${parsed.error}`);
    }
    const bytes = Buffer.from(parsed.data, 'base64');
    const values = new Float64Array(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    );
    return { ...parsed, values };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/**
 * Runs an ONNX classifier over a CSV benchmark (features + label) with
 * onnxruntime-node and measures accuracy (and precision, recall and F1 for
 * binary labels). The model's first input gets float32 `[rows, features]`;
 * an integer output is read as class labels, a float `[N]`/`[N,1]` output
 * as the positive-class probability (threshold 0.5, or 0 for logits
 * outside [0, 1]), a float `[N, C]` output by argmax.
 * @throws BenchmarkInputError for unusable benchmarks or models
 */
export async function evaluateOnnxClassifier(
  model: Uint8Array,
  benchmark: ByteSource,
  options: OnnxEvaluationOptions,
): Promise<OnnxEvaluationResult> {
  const maxRows = options.maxRows ?? 1_000_000;
  const positive = options.positiveLabel ?? 1;
  let features: string[] | undefined = options.featureColumns;
  const values: number[] = [];
  const labels: number[] = [];
  let row = 0;
  for await (const record of readCsvRecords(benchmark)) {
    row++;
    if (row > maxRows)
      throw new BenchmarkInputError(
        `the benchmark has more than ${maxRows} rows`,
      );
    if (!features) {
      if (!(options.labelColumn in record)) {
        throw new BenchmarkInputError(
          `the benchmark has no column ${options.labelColumn}`,
        );
      }
      features = Object.keys(record).filter(
        k => k !== options.labelColumn && !options.excludeColumns?.includes(k),
      );
      if (features.length === 0)
        throw new BenchmarkInputError('the benchmark has no feature columns');
    }
    for (const column of [...features, options.labelColumn]) {
      if (!(column in record))
        throw new BenchmarkInputError(`the benchmark has no column ${column}`);
    }
    for (const column of features) {
      const v = Number(record[column]);
      if (record[column].trim() === '' || !Number.isFinite(v)) {
        throw new BenchmarkInputError(
          `row ${row}: feature ${column} is not a number: "${record[column]}"`,
        );
      }
      values.push(v);
    }
    const label = Number(record[options.labelColumn]);
    if (record[options.labelColumn].trim() === '' || !Number.isInteger(label)) {
      throw new BenchmarkInputError(
        `row ${row}: label ${options.labelColumn} is not an integer class: "${
          record[options.labelColumn]
        }"`,
      );
    }
    labels.push(label);
  }
  if (!features || labels.length === 0)
    throw new BenchmarkInputError('the benchmark has no data rows');

  const n = labels.length;
  let output: WorkerOutput;
  try {
    output = await runInWorker(
      model,
      Float32Array.from(values),
      n,
      features.length,
    );
  } catch (e) {
    if (e instanceof BenchmarkInputError) {
      throw new BenchmarkInputError(
        `onnxruntime failed on the benchmark (${features.length} features): ${e.message}`,
      );
    }
    throw e;
  }
  const { inputName, outputName, dims, inferenceMs } = output;
  const data = output.values;
  const predictions: number[] = new Array(n);
  if (!output.type.startsWith('float')) {
    if (data.length !== n) {
      throw new BenchmarkInputError(
        `output ${outputName} has ${data.length} values for ${n} rows`,
      );
    }
    for (let i = 0; i < n; i++) predictions[i] = data[i];
  } else {
    const width = dims.length === 2 ? dims[1] : 1;
    if (data.length !== n * width) {
      throw new BenchmarkInputError(
        `output ${outputName} has shape [${dims.join(', ')}] for ${n} rows`,
      );
    }
    if (width === 1) {
      let probabilities = true;
      for (let i = 0; i < n; i++) {
        if (data[i] < 0 || data[i] > 1) probabilities = false;
      }
      const threshold = probabilities ? 0.5 : 0;
      for (let i = 0; i < n; i++) predictions[i] = data[i] >= threshold ? 1 : 0;
    } else {
      for (let i = 0; i < n; i++) {
        let best = 0;
        for (let c = 1; c < width; c++) {
          if (data[i * width + c] > data[i * width + best]) best = c;
        }
        predictions[i] = best;
      }
    }
  }
  let correct = 0;
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  const binary = labels.every(l => l === 0 || l === 1);
  for (let i = 0; i < n; i++) {
    if (predictions[i] === labels[i]) correct++;
    const p = predictions[i] === positive;
    const a = labels[i] === positive;
    if (p && a) tp++;
    else if (p) fp++;
    else if (a) fn++;
    else tn++;
  }
  const result: OnnxEvaluationResult = {
    rows: n,
    featureColumns: features,
    inputName,
    outputName,
    accuracy: correct / n,
    inferenceMs,
  };
  if (binary) {
    result.precision = tp + fp === 0 ? 0 : tp / (tp + fp);
    result.recall = tp + fn === 0 ? 0 : tp / (tp + fn);
    result.f1 =
      result.precision + result.recall === 0
        ? 0
        : (2 * result.precision * result.recall) /
          (result.precision + result.recall);
    result.confusion = { tp, fp, tn, fn };
  }
  return result;
}
