import { Config } from '@backstage/config';
import type { ScanVerdict } from '@internal/plugin-model-hub-common';
import { GauntletCheckFile } from '../../check';
import { MODEL_EXTENSIONS } from '../../../scanner/names';

/**
 * File name endings that claim a model format. A file named like this whose
 * content the scanner does not recognise is treated as weights it could not
 * read, never as a harmless unknown file. The scanner's own list, so the
 * two never disagree.
 */
export const WEIGHT_FILE_EXTENSIONS: readonly string[] = MODEL_EXTENSIONS;

/**
 * Scanner rules that mark code a loader runs with the model (Python source,
 * compiled Python, native libraries, `auto_map` with `trust_remote_code`):
 * never safe without a person's review.
 */
export const REVIEW_REQUIRED_RULES: readonly string[] = [
  'code/python-source',
  'code/python-bytecode',
  'code/native-library',
  'config/auto-map',
];

/** Default of `modelHub.gauntlet.security.unrecognizedWeightBytes`: 1 MiB. */
export const DEFAULT_UNRECOGNIZED_WEIGHT_BYTES = 1024 * 1024;

/** Bytes read from the start of a large unrecognised file to tell text from binary. */
const TEXT_SNIFF_BYTES = 64 * 1024;

/** How each verdict reads in a summary, in the order they are listed. */
const VERDICT_WORDS: ReadonlyArray<[ScanVerdict, string]> = [
  ['safe', 'safe'],
  ['unsafe', 'unsafe'],
  ['error', 'could not be scanned'],
  ['unsupported', 'not a known format'],
];

/** Reads `modelHub.gauntlet.security.unrecognizedWeightBytes`. */
export function readUnrecognizedWeightBytes(config: Config): number {
  const value = config.getOptionalNumber(
    'modelHub.gauntlet.security.unrecognizedWeightBytes',
  );
  if (value === undefined) return DEFAULT_UNRECOGNIZED_WEIGHT_BYTES;
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(
      `modelHub.gauntlet.security.unrecognizedWeightBytes must be a whole number of bytes, got ${value}`,
    );
  }
  return value;
}

/** Whether the path ends in a model-format extension (case-insensitive). */
export function claimsWeightFormat(path: string): boolean {
  const lower = path.toLowerCase();
  return WEIGHT_FILE_EXTENSIONS.some(ext => lower.endsWith(ext));
}

/**
 * Counts verdicts for a summary, e.g. `2 safe, 1 not a known format, 1 could
 * not be scanned`. Never calls a file safe that was not scanned safe.
 */
export function describeVerdicts(
  files: ReadonlyArray<{ scan: { verdict: ScanVerdict } }>,
): string {
  const parts: string[] = [];
  for (const [verdict, words] of VERDICT_WORDS) {
    const n = files.filter(f => f.scan.verdict === verdict).length;
    if (n > 0) parts.push(`${n} ${words}`);
  }
  return parts.length ? parts.join(', ') : 'no files';
}

/** True when the start of the file is UTF-8 text without NUL bytes. */
async function startsAsText(file: GauntletCheckFile): Promise<boolean> {
  const stream = await file.open();
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer | string>) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      chunks.push(buf);
      total += buf.length;
      if (total >= TEXT_SNIFF_BYTES) break;
    }
  } finally {
    (stream as { destroy?: () => void }).destroy?.();
  }
  const head = Buffer.concat(chunks).subarray(0, TEXT_SNIFF_BYTES);
  if (head.includes(0)) return false;
  // A multi-byte character may be cut at the end of the sample.
  const text = new TextDecoder('utf-8', { fatal: false }).decode(head);
  const replacements = (text.match(/\uFFFD/g) ?? []).length;
  return replacements <= 3;
}

/** What {@link assessFileVerdicts} decided about the scanner verdicts of a version. */
export interface FileVerdictAssessment {
  /** Messages that fail the check, each naming a file. */
  failures: string[];
  /** Messages that only warn, each naming a file. */
  warnings: string[];
  /** Unrecognised files treated as weights, and why. */
  unreadableWeights: Array<{ path: string; why: 'name' | 'size' }>;
}

/**
 * Turns scanner verdicts into check messages. `unsafe` always fails.
 * `error` files, and `unsupported` files that look like weights (a
 * model-format name, or binary content of at least `unrecognizedWeightBytes`),
 * fail the official tier and warn below it, and so do files that ship code
 * a loader runs ({@link REVIEW_REQUIRED_RULES}). Other `unsupported` files
 * (text, small configs) are counted but raise nothing.
 */
export async function assessFileVerdicts(
  files: GauntletCheckFile[],
  options: { official: boolean; unrecognizedWeightBytes: number },
): Promise<FileVerdictAssessment> {
  const failures: string[] = [];
  const warnings: string[] = [];
  const unreadableWeights: FileVerdictAssessment['unreadableWeights'] = [];
  const gated = options.official ? failures : warnings;
  for (const f of files) {
    const top = f.scan.findings[0];
    const code = f.scan.findings.find(x =>
      REVIEW_REQUIRED_RULES.includes(x.rule),
    );
    if (code && f.scan.verdict !== 'unsafe') {
      gated.push(
        `${f.path} ships code that runs when the model is loaded (${code.rule}: ${code.message}); it needs a review`,
      );
    }
    if (f.scan.verdict === 'unsafe') {
      failures.push(
        `${f.path} is unsafe${
          top ? ` (${top.severity} ${top.rule}: ${top.message})` : ''
        }`,
      );
    } else if (f.scan.verdict === 'error') {
      gated.push(
        `${f.path} could not be scanned${
          top ? ` (${top.rule}: ${top.message})` : ''
        }`,
      );
    } else if (f.scan.verdict === 'unsupported') {
      let why: 'name' | 'size' | undefined;
      if (claimsWeightFormat(f.path)) why = 'name';
      else if (
        f.size >= options.unrecognizedWeightBytes &&
        !(await startsAsText(f))
      ) {
        why = 'size';
      }
      if (why) {
        unreadableWeights.push({ path: f.path, why });
        gated.push(
          why === 'name'
            ? `${f.path} is named like model weights but its content is not a format the scanner can read; it was not checked`
            : `${f.path} is ${f.size} bytes of binary data in no format the scanner can read; it was not checked`,
        );
      }
    }
  }
  return { failures, warnings, unreadableWeights };
}
