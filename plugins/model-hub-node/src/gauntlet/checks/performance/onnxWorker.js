/*
 * Runs one ONNX model over one float32 input matrix in a separate process,
 * so a hostile or broken model cannot take the backend down with it and a
 * runaway model can be killed by a timeout. Used by onnxEvaluation.ts.
 *
 *   node onnxWorker.js <dir>
 *
 * Reads <dir>/model.onnx and <dir>/input.f32 (little-endian float32, rows x
 * cols as given in <dir>/input.json), prints one JSON line:
 * { inputName, outputName, type, dims, data: base64 } or { error }.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

/** onnxruntime-node, or a one-line reason (it is optional in the packed CLI). */
function loadRuntime() {
  try {
    return require('onnxruntime-node');
  } catch (e) {
    if (e && e.code === 'MODULE_NOT_FOUND') {
      throw new Error(
        'onnxruntime-node is not installed here; install it next to the CLI ' +
          '(npm install -g onnxruntime-node) to re-run ONNX benchmarks',
      );
    }
    throw e;
  }
}

async function main() {
  const dir = process.argv[2];
  const { rows, cols } = JSON.parse(
    fs.readFileSync(path.join(dir, 'input.json'), 'utf8'),
  );
  const ort = loadRuntime();
  const model = fs.readFileSync(path.join(dir, 'model.onnx'));
  const raw = fs.readFileSync(path.join(dir, 'input.f32'));
  const input = new Float32Array(raw.buffer, raw.byteOffset, raw.length / 4);
  const session = await ort.InferenceSession.create(model);
  const inputName = session.inputNames[0];
  const outputName =
    session.outputNames.find(n => /label/i.test(n)) || session.outputNames[0];
  const started = process.hrtime.bigint();
  const outputs = await session.run({
    [inputName]: new ort.Tensor('float32', input, [rows, cols]),
  });
  const inferenceMs = Number(process.hrtime.bigint() - started) / 1e6;
  const out = outputs[outputName];
  let values;
  if (out.type === 'int64' || out.type === 'uint64') {
    values = Float64Array.from(out.data, v => Number(v));
  } else if (
    [
      'float32',
      'float64',
      'int32',
      'int8',
      'uint8',
      'int16',
      'uint16',
      'bool',
    ].includes(out.type)
  ) {
    values = Float64Array.from(out.data, v => Number(v));
  } else {
    throw new Error(`output ${outputName} has unsupported type ${out.type}`);
  }
  process.stdout.write(
    `${JSON.stringify({
      inputName,
      outputName,
      type: out.type,
      dims: out.dims.map(Number),
      inferenceMs,
      data: Buffer.from(values.buffer).toString('base64'),
    })}\n`,
  );
}

main().catch(e => {
  process.stdout.write(
    `${JSON.stringify({ error: String((e && e.message) || e) })}\n`,
  );
  process.exitCode = 0;
});
