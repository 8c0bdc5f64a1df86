#!/usr/bin/env node
/*
 * Builds the example ONNX model and benchmark of `sentiment-classifier`:
 *
 *   model.onnx       a logistic regression over four text features
 *                    (MatMul -> Add -> Sigmoid, opset 13, IR 8), input
 *                    `features` float32 [N, 4], output `probability` [N, 1]
 *   benchmark.csv    200 labelled rows f0..f3,label drawn from a seeded PRNG
 *   metrics.json     accuracy, precision, recall and f1 of the model on the
 *                    benchmark, computed here in plain JavaScript
 *
 * The labels come from a slightly different "true" model plus noise, so the
 * shipped model is good but not perfect, and its true accuracy is known.
 * Deterministic: running it again writes identical bytes.
 *
 *   node examples/artifacts/sentiment-classifier/build.js
 *   node examples/artifacts/sentiment-classifier/build.js 2.0.0
 *
 * The second form builds the previous release (other weights, same
 * benchmark rows) into ../sentiment-classifier-2.0.0, so the demo has two
 * versions to compare and chart.
 *
 * Needs `onnx-proto` (a devDependency of @internal/plugin-model-hub-node).
 */
const fs = require('node:fs');
const path = require('node:path');
const { onnx } = require(require.resolve('onnx-proto', {
  paths: [path.join(__dirname, '../../../plugins/model-hub-node')],
}));

/** Weights and bias of each release of the model, and where it is written. */
const RELEASES = {
  '2.1.0': { out: __dirname, weights: [1.5, -2.0, 0.75, 0.5], bias: -0.25 },
  '2.0.0': {
    out: path.join(__dirname, '../sentiment-classifier-2.0.0'),
    weights: [1.0, -1.1, 0.2, 0.9],
    bias: 0.3,
  },
};
const release = RELEASES[process.argv[2] ?? '2.1.0'];
if (!release)
  throw new Error(
    `unknown release ${process.argv[2]}; use ${Object.keys(RELEASES).join(
      ' or ',
    )}`,
  );
const OUT = release.out;
fs.mkdirSync(OUT, { recursive: true });
const ROWS = 200;
/** Weights and bias of the shipped model. */
const WEIGHTS = release.weights;
const BIAS = release.bias;
/** The process that generated the labels (unknown to the model). */
const TRUE_WEIGHTS = [1.4, -1.8, 0.9, 0.0];
const TRUE_BIAS = -0.1;
const LABEL_NOISE = 0.6;

/** mulberry32: a small seeded PRNG with uniform output in [0, 1). */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = mulberry32(20261127);
/** Standard normal sample (Box-Muller). */
function normal() {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

function tensor(name, dims, values) {
  return onnx.TensorProto.create({
    name,
    dims,
    dataType: onnx.TensorProto.DataType.FLOAT,
    floatData: values,
  });
}

function valueInfo(name, dims) {
  return onnx.ValueInfoProto.create({
    name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: onnx.TensorShapeProto.create({
          dim: dims.map(d =>
            typeof d === 'string'
              ? onnx.TensorShapeProto.Dimension.create({ dimParam: d })
              : onnx.TensorShapeProto.Dimension.create({ dimValue: d }),
          ),
        }),
      }),
    }),
  });
}

const graph = onnx.GraphProto.create({
  name: 'sentiment_logistic_regression',
  initializer: [tensor('W', [4, 1], WEIGHTS), tensor('B', [1], [BIAS])],
  input: [valueInfo('features', ['N', 4])],
  output: [valueInfo('probability', ['N', 1])],
  node: [
    onnx.NodeProto.create({
      opType: 'MatMul',
      input: ['features', 'W'],
      output: ['logit_raw'],
      name: 'matmul',
    }),
    onnx.NodeProto.create({
      opType: 'Add',
      input: ['logit_raw', 'B'],
      output: ['logit'],
      name: 'add',
    }),
    onnx.NodeProto.create({
      opType: 'Sigmoid',
      input: ['logit'],
      output: ['probability'],
      name: 'sigmoid',
    }),
  ],
});
const model = onnx.ModelProto.create({
  irVersion: 8,
  opsetImport: [onnx.OperatorSetIdProto.create({ domain: '', version: 13 })],
  producerName: 'model-hub-examples',
  producerVersion: '1',
  graph,
});
const bytes = Buffer.from(onnx.ModelProto.encode(model).finish());
fs.writeFileSync(path.join(OUT, 'model.onnx'), bytes);

const f32 = Math.fround;
const lines = ['f0,f1,f2,f3,label'];
let tp = 0;
let fp = 0;
let tn = 0;
let fn = 0;
for (let i = 0; i < ROWS; i++) {
  // Rounded to 4 decimals so the CSV holds exactly what the model sees.
  const x = [0, 1, 2, 3].map(() => Math.round(normal() * 10000) / 10000);
  const trueLogit =
    x.reduce((s, v, j) => s + v * TRUE_WEIGHTS[j], TRUE_BIAS) +
    normal() * LABEL_NOISE;
  const label = trueLogit > 0 ? 1 : 0;
  // float32 arithmetic, as the runtime does it.
  let logit = f32(0);
  for (let j = 0; j < 4; j++)
    logit = f32(logit + f32(f32(x[j]) * f32(WEIGHTS[j])));
  logit = f32(logit + f32(BIAS));
  const predicted = logit >= 0 ? 1 : 0; // sigmoid(logit) >= 0.5
  if (predicted === 1 && label === 1) tp++;
  else if (predicted === 1) fp++;
  else if (label === 0) tn++;
  else fn++;
  lines.push(`${x.join(',')},${label}`);
}
fs.writeFileSync(path.join(OUT, 'benchmark.csv'), `${lines.join('\n')}\n`);

const round = v => Math.round(v * 10000) / 10000;
const precision = tp / (tp + fp);
const recall = tp / (tp + fn);
const metrics = {
  rows: ROWS,
  confusion: { tp, fp, tn, fn },
  accuracy: round((tp + tn) / ROWS),
  precision: round(precision),
  recall: round(recall),
  f1: round((2 * precision * recall) / (precision + recall)),
};
fs.writeFileSync(
  path.join(OUT, 'metrics.json'),
  `${JSON.stringify(metrics, null, 2)}\n`,
);
console.log(
  `model.onnx: ${
    bytes.length
  } bytes; benchmark.csv: ${ROWS} rows; ${JSON.stringify(metrics)}`,
);
