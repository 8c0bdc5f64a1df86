import { ScanReport } from './report';
import { RandomSource } from './source';
import { parsePythonJson } from './pythonJson';
import { reportChatTemplate } from './chatTemplateReport';
import { ShippedCode } from './names';

/**
 * Largest JSON file read to look for `auto_map` entries and chat templates
 * (transformers reads the whole file, so a config padded past the limit
 * must not pass unread: see {@link scanJsonConfig}).
 */
const MAX_CONFIG_BYTES = 64 * 1024 * 1024;

/**
 * JSON files transformers (and diffusers, peft) read `auto_map`,
 * `custom_pipelines` or a chat template from: `config.json`,
 * `tokenizer_config.json`, `preprocessor_config.json`, `chat_template.json`,
 * `model_index.json`... Larger data files (`tokenizer.json`) are not.
 */
const CODE_CONFIG_NAME = /(?:config|chat_template|model_index)\.json$/i;

/**
 * Python source shipped with a model runs when the model is loaded with
 * `trust_remote_code=True` (or imported by a custom loader): it needs a
 * human review, whatever it contains.
 */
export function reportPythonSource(report: ScanReport, location: string) {
  report.add(
    'medium',
    'code/python-source',
    'Python source ships with the model; it runs with trust_remote_code or a custom loader, so review it before use',
    location,
  );
}

/**
 * Compiled Python and native libraries beside the weights: Python imports
 * them (a `__pycache__` entry with an unchecked hash even in place of the
 * source a reviewer read) and nobody can review them as text.
 */
export function reportShippedCode(
  report: ScanReport,
  kind: ShippedCode,
  location: string,
) {
  if (kind === 'source') {
    reportPythonSource(report, location);
  } else if (kind === 'bytecode') {
    report.add(
      'medium',
      'code/python-bytecode',
      'compiled Python ships with the model; Python imports it (even in place of its source) and it cannot be reviewed as text, so remove it or have it reviewed',
      location,
    );
  } else {
    report.add(
      'medium',
      'code/native-library',
      'a native library (compiled code) ships with the model; Python can import or load it, so remove it or have it reviewed',
      location,
    );
  }
}

/**
 * Hugging Face `config.json` (and tokenizer/processor configs) name Python
 * classes to import from the repository in `auto_map`, and pipelines in
 * `custom_pipelines`: loading with `trust_remote_code=True` runs that code.
 * A config that names code (by its file name) and is too large to read
 * fails (`config/too-large`) rather than passing unread.
 */
export async function scanJsonConfig(
  src: RandomSource,
  report: ScanReport,
  location: string,
  name = location,
): Promise<void> {
  if (await isPaddleProgram(src)) {
    report.fail(
      'format/not-scanned',
      'the file is a PaddlePaddle program (PIR JSON), whose operators the Paddle executor runs; the scanner does not read it, so publish the model as ONNX or safetensors, or have it reviewed',
      location,
    );
    return;
  }
  if (src.size > MAX_CONFIG_BYTES) {
    if (CODE_CONFIG_NAME.test(name)) {
      report.fail(
        'config/too-large',
        `the config is over ${MAX_CONFIG_BYTES} bytes, too large to check for auto_map code and chat templates; shrink it or have it reviewed`,
        location,
      );
    }
    return;
  }
  const bytes = await src.read(0, src.size);
  let config: unknown;
  try {
    config = parsePythonJson(bytes);
  } catch {
    return; // not JSON: plain text, nothing to load
  }
  if (Array.isArray(config)) {
    if (/(?:^|[\\/])modules\.json$/i.test(name)) {
      reportModuleTypes(config, report, location);
    }
    return;
  }
  if (!config || typeof config !== 'object') return;
  const o = config as Record<string, unknown>;
  // transformers renders these with apply_chat_template.
  const templates = o.chat_template;
  if (typeof templates === 'string') {
    reportChatTemplate(report, templates, `${location}:chat_template`);
  } else if (Array.isArray(templates)) {
    templates.forEach((t, i) => {
      const named = t as { name?: unknown; template?: unknown } | null;
      if (named && typeof named.template === 'string') {
        reportChatTemplate(
          report,
          named.template,
          `${location}:chat_template[${JSON.stringify(named.name ?? i)}]`,
        );
      }
    });
  }
  for (const key of ['auto_map', 'custom_pipelines']) {
    const v = o[key];
    if (v === undefined || v === null) continue;
    const refs = collectStrings(v).slice(0, 10);
    report.add(
      'medium',
      'config/auto-map',
      `${key} names code from the model repository${
        refs.length ? ` (${refs.join(', ')})` : ''
      }; it runs when loaded with trust_remote_code=True, so review it`,
      `${location}:${key}`,
    );
  }
}

/**
 * sentence-transformers builds a model from `modules.json`, importing each
 * module's `type` by its dotted name: anything outside the library is code
 * from the repository (with trust_remote_code) or any installed callable,
 * called with the module's path.
 */
function reportModuleTypes(
  modules: unknown[],
  report: ScanReport,
  location: string,
) {
  const foreign = modules
    .map(m => (m as { type?: unknown } | null)?.type)
    .filter(
      (t): t is string =>
        typeof t === 'string' && !t.startsWith('sentence_transformers.'),
    );
  if (foreign.length === 0) return;
  report.add(
    'medium',
    'config/auto-map',
    `modules.json names module types outside sentence_transformers (${foreign
      .slice(0, 10)
      .join(
        ', ',
      )}); SentenceTransformer imports and calls them on load, so review them`,
    `${location}:type`,
  );
}

/**
 * Whether JSON is a PaddlePaddle 3 program (`paddle.jit.save` writes
 * `inference.json`): its first key is `base_code` (Paddle writes keys in
 * sorted order), read from the start so that size does not hide it.
 */
async function isPaddleProgram(src: RandomSource): Promise<boolean> {
  const head = (await src.read(0, 4096)).toString('utf8');
  return /^\s*\{\s*"base_code"\s*:/.test(head);
}

function collectStrings(v: unknown, out: string[] = [], depth = 0): string[] {
  if (depth > 8 || out.length >= 10) return out;
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) v.forEach(x => collectStrings(x, out, depth + 1));
  else if (v && typeof v === 'object')
    Object.values(v).forEach(x => collectStrings(x, out, depth + 1));
  return out;
}

/** Largest chat template file read. */
const MAX_TEMPLATE_BYTES = 16 * 1024 * 1024;

/** A `chat_template.jinja` file: the template transformers renders. */
export async function scanJinjaTemplate(
  src: RandomSource,
  report: ScanReport,
  location: string,
): Promise<void> {
  if (src.size > MAX_TEMPLATE_BYTES) {
    report.fail(
      'gguf/chat-template-unparseable',
      `the chat template is over ${MAX_TEMPLATE_BYTES} bytes; it was not checked, so review it`,
      location,
    );
    return;
  }
  const text = (await src.read(0, src.size)).toString('utf8');
  reportChatTemplate(report, text, location);
}
