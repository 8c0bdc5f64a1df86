#!/usr/bin/env node
/*
 * Builds the small evaluation files and the scikit-learn-style pickle that
 * the example model versions ship (examples/hub-seed.yaml publishes them).
 * Deterministic: the counts below are exact, so the fairness metrics the
 * gauntlet computes from them are known in advance.
 *
 *   node examples/artifacts/build-eval-sets.js
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');

/**
 * Rows for one group: `pos` actual positives of which `tp` are predicted
 * positive, `neg` actual negatives of which `fp` are predicted positive.
 */
function groupRows({ pos, tp, neg, fp }, attrs) {
  const rows = [];
  for (let i = 0; i < pos; i++)
    rows.push({ label: 1, prediction: i < tp ? 1 : 0, ...attrs });
  for (let i = 0; i < neg; i++)
    rows.push({ label: 0, prediction: i < fp ? 1 : 0, ...attrs });
  return rows;
}

/** Interleaves rows deterministically so groups are not in blocks. */
function interleave(groups) {
  const out = [];
  const max = Math.max(...groups.map(g => g.length));
  for (let i = 0; i < max; i++)
    for (const g of groups) if (i < g.length) out.push(g[i]);
  return out;
}

function writeCsv(file, columns, rows) {
  const lines = [columns.join(',')];
  for (const r of rows)
    lines.push(columns.map(c => r[c.key ?? c] ?? r[c]).join(','));
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
}

// Sentiment classifier: the model's predictions on a held-out review sample,
// by reviewer age band. Nearly equal rates: demographic parity difference
// 0.005, equalized odds difference 0.03 (passes the official thresholds).
const sentiment = interleave([
  groupRows(
    { pos: 100, tp: 88, neg: 100, fp: 8 },
    { reviewer_age_band: 'under-35' },
  ),
  groupRows(
    { pos: 100, tp: 85, neg: 100, fp: 10 },
    { reviewer_age_band: '35-plus' },
  ),
]);
writeCsv(
  path.join(__dirname, 'sentiment-classifier/eval/fairness.csv'),
  ['label', 'prediction', 'reviewer_age_band'],
  sentiment,
);

// The previous sentiment release (2.0.0): it favoured younger reviewers more
// (selection rate 0.52 vs 0.44: demographic parity difference 0.08, inside
// the 0.1 the official tier allows, but wider than 2.1.0's).
writeCsv(
  path.join(__dirname, 'sentiment-classifier-2.0.0/eval/fairness.csv'),
  ['label', 'prediction', 'reviewer_age_band'],
  interleave([
    groupRows(
      { pos: 100, tp: 90, neg: 100, fp: 14 },
      { reviewer_age_band: 'under-35' },
    ),
    groupRows(
      { pos: 100, tp: 80, neg: 100, fp: 8 },
      { reviewer_age_band: '35-plus' },
    ),
  ]),
);

// Churn classifier: predictions on the churn hold-out, by gender and age
// band. The model flags young customers far more often: selection rate
// 0.55 vs 0.20 across age bands (demographic parity difference 0.35), so the
// fairness check fails the official tier its YAML claims.
const churn = interleave([
  groupRows(
    { pos: 40, tp: 32, neg: 60, fp: 23 },
    { gender: 'female', age_band: '18-34' },
  ),
  groupRows(
    { pos: 40, tp: 32, neg: 60, fp: 23 },
    { gender: 'male', age_band: '18-34' },
  ),
  groupRows(
    { pos: 40, tp: 17, neg: 60, fp: 3 },
    { gender: 'female', age_band: '35-plus' },
  ),
  groupRows(
    { pos: 40, tp: 17, neg: 60, fp: 3 },
    { gender: 'male', age_band: '35-plus' },
  ),
]).map(r => ({
  churned: r.label,
  predicted_churn: r.prediction,
  gender: r.gender,
  age_band: r.age_band,
}));
writeCsv(
  path.join(__dirname, 'churn-classifier/eval/predictions.csv'),
  ['churned', 'predicted_churn', 'gender', 'age_band'],
  churn,
);

// A scikit-learn LogisticRegression as joblib/pickle would store it
// (protocol 2; hand-assembled opcodes, no Python needed). The scanner finds
// it safe (a scikit-learn class rebuilt with NEWOBJ + BUILD is allowed), and
// the security check still fails it for the official tier: pickled weights
// are executable.
function pickleLogisticRegression() {
  const parts = [];
  const str = s => Buffer.from(s, 'latin1');
  const u32 = n => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    return b;
  };
  const f64 = v => {
    const b = Buffer.alloc(8);
    b.writeDoubleBE(v);
    return b;
  };
  const unicode = s =>
    Buffer.concat([str('X'), u32(Buffer.byteLength(s)), str(s)]);
  parts.push(Buffer.from([0x80, 0x02]));
  parts.push(str('csklearn.linear_model._logistic\nLogisticRegression\n'));
  parts.push(str(')'), Buffer.from([0x81]), str('}'), str('('));
  parts.push(unicode('C'), str('G'), f64(1.0));
  parts.push(unicode('max_iter'), str('K'), Buffer.from([100]));
  parts.push(unicode('penalty'), unicode('l2'));
  parts.push(unicode('intercept_'), str('G'), f64(-1.2345));
  parts.push(str('u'), str('b'), str('.'));
  return Buffer.concat(parts);
}
fs.writeFileSync(
  path.join(__dirname, 'churn-classifier/model.joblib'),
  pickleLogisticRegression(),
);
fs.writeFileSync(
  path.join(__dirname, 'churn-classifier/requirements.txt'),
  'scikit-learn==1.5.2\nnumpy==1.26.4\njoblib\n',
);
// Support assistant: a LoRA adapter in safetensors (non-executable weights)
// with its config, and the escalation decisions on the evaluation set by
// customer language (fair: parity difference 0.02, equalized odds 0.04).
function safetensors(tensors) {
  const header = {};
  const blobs = [];
  let offset = 0;
  for (const [name, { shape, values }] of Object.entries(tensors)) {
    const data = Buffer.alloc(values.length * 4);
    values.forEach((v, i) => data.writeFloatLE(v, i * 4));
    header[name] = {
      dtype: 'F32',
      shape,
      data_offsets: [offset, offset + data.length],
    };
    offset += data.length;
    blobs.push(data);
  }
  header.__metadata__ = { format: 'pt', base_model: 'llama-3-8b-instruct' };
  let json = Buffer.from(JSON.stringify(header));
  const pad = (8 - (json.length % 8)) % 8;
  json = Buffer.concat([json, Buffer.alloc(pad, 0x20)]);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json, ...blobs]);
}
// Deterministic small weights (a linear congruential sequence).
let seed = 42;
const next = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return (seed / 2147483648 - 0.5) * 0.02;
};
const rank = 4;
const hidden = 32;
const lora = {};
for (const layer of [0, 1]) {
  for (const proj of ['q_proj', 'v_proj']) {
    const prefix = `base_model.model.model.layers.${layer}.self_attn.${proj}`;
    lora[`${prefix}.lora_A.weight`] = {
      shape: [rank, hidden],
      values: Array.from({ length: rank * hidden }, next),
    };
    lora[`${prefix}.lora_B.weight`] = {
      shape: [hidden, rank],
      values: Array.from({ length: hidden * rank }, next),
    };
  }
}
fs.writeFileSync(
  path.join(__dirname, 'support-assistant/adapter_model.safetensors'),
  safetensors(lora),
);
fs.writeFileSync(
  path.join(__dirname, 'support-assistant/adapter_config.json'),
  `${JSON.stringify(
    {
      peft_type: 'LORA',
      base_model_name_or_path: 'llama-3-8b-instruct',
      r: rank,
      lora_alpha: 8,
      lora_dropout: 0.05,
      target_modules: ['q_proj', 'v_proj'],
      task_type: 'CAUSAL_LM',
    },
    null,
    2,
  )}\n`,
);
const escalation = interleave([
  groupRows({ pos: 60, tp: 56, neg: 140, fp: 10 }, { customer_language: 'en' }),
  groupRows({ pos: 60, tp: 54, neg: 140, fp: 8 }, { customer_language: 'de' }),
]).map(r => ({
  should_escalate: r.label,
  escalated: r.prediction,
  customer_language: r.customer_language,
}));
writeCsv(
  path.join(__dirname, 'support-assistant/eval/escalations.csv'),
  ['should_escalate', 'escalated', 'customer_language'],
  escalation,
);
console.log(
  'wrote the example evaluation sets, model.joblib and the support-assistant adapter',
);
