import { ScanReport } from './report';
import { RandomSource } from './source';

/** Largest header the scanner accepts (the reference implementation's limit). */
export const SAFETENSORS_MAX_HEADER = 100 * 1024 * 1024;

/** Bytes per element of every safetensors dtype. */
export const SAFETENSORS_DTYPE_SIZES: Readonly<Record<string, number>> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  F8_E8M0: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  C64: 8,
  F64: 8,
  I64: 8,
  U64: 8,
};

/** Whether the first bytes look like a safetensors header. */
export function looksLikeSafetensors(head: Buffer, size: number): boolean {
  if (head.length < 10 || size < 10) return false;
  if (head[8] !== 0x7b) return false; // '{'
  if (head.readUInt16LE(6) !== 0 || head[5] !== 0) return false; // length < 2^40
  const next = head
    .subarray(9)
    .find(b => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09);
  return next === undefined || next === 0x22 || next === 0x7d; // '"' or '}'
}

/**
 * Validates a safetensors file: bounded JSON header, known dtypes, shapes
 * that match their byte spans, and offsets that tile the data section
 * exactly. Any violation makes the file an `error`.
 */
export async function scanSafetensors(
  src: RandomSource,
  report: ScanReport,
  location: string,
): Promise<void> {
  const pre = await src.read(0, 8);
  const n = pre.readUInt32LE(0) + pre.readUInt32LE(4) * 0x100000000;
  if (n > SAFETENSORS_MAX_HEADER) {
    report.fail(
      'safetensors/header-too-large',
      `header length ${n} exceeds the ${SAFETENSORS_MAX_HEADER}-byte limit`,
      `${location}@offset 0`,
    );
    return;
  }
  if (8 + n > src.size) {
    report.fail(
      'safetensors/truncated',
      `header length ${n} runs past the end of the ${src.size}-byte file`,
      `${location}@offset 0`,
    );
    return;
  }
  const text = (await src.read(8, n)).toString('utf8');
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    report.fail(
      'safetensors/bad-json',
      `header is not valid JSON: ${(e as Error).message}`,
      `${location}.header`,
    );
    return;
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) {
    report.fail(
      'safetensors/bad-json',
      'header is not a JSON object',
      `${location}.header`,
    );
    return;
  }
  const dataSize = src.size - 8 - n;
  const spans: Array<{ name: string; begin: number; end: number }> = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    const at = `${location}.header[${JSON.stringify(name)}]`;
    if (name === '__metadata__') {
      if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
        report.fail(
          'safetensors/bad-metadata',
          '__metadata__ is not an object',
          `${location}.header.__metadata__`,
        );
        continue;
      }
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== 'string') {
          report.fail(
            'safetensors/bad-metadata',
            `__metadata__.${k} is not a string (metadata must map strings to strings)`,
            `${location}.header.__metadata__`,
          );
        }
      }
      continue;
    }
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
      report.fail(
        'safetensors/bad-tensor',
        'tensor entry is not an object',
        at,
      );
      continue;
    }
    const t = raw as {
      dtype?: unknown;
      shape?: unknown;
      data_offsets?: unknown;
    };
    const size =
      typeof t.dtype === 'string'
        ? SAFETENSORS_DTYPE_SIZES[t.dtype]
        : undefined;
    if (size === undefined) {
      report.fail(
        'safetensors/bad-dtype',
        `unknown dtype ${JSON.stringify(t.dtype)}`,
        at,
      );
      continue;
    }
    if (
      !Array.isArray(t.shape) ||
      !t.shape.every(d => Number.isSafeInteger(d) && (d as number) >= 0)
    ) {
      report.fail(
        'safetensors/bad-shape',
        'shape is not a list of non-negative integers',
        at,
      );
      continue;
    }
    const o = t.data_offsets;
    if (
      !Array.isArray(o) ||
      o.length !== 2 ||
      !o.every(x => Number.isSafeInteger(x) && (x as number) >= 0) ||
      (o[0] as number) > (o[1] as number)
    ) {
      report.fail(
        'safetensors/bad-offsets',
        'data_offsets is not [begin, end] with begin <= end',
        at,
      );
      continue;
    }
    const [begin, end] = o as [number, number];
    if (end > dataSize) {
      report.fail(
        'safetensors/bad-offsets',
        `data_offsets end ${end} lies beyond the ${dataSize}-byte data section`,
        at,
      );
      continue;
    }
    const elements = (t.shape as number[]).reduce((a, d) => a * BigInt(d), 1n);
    if (elements * BigInt(size) !== BigInt(end - begin)) {
      report.fail(
        'safetensors/shape-mismatch',
        `shape ${JSON.stringify(t.shape)} × ${size} bytes (${t.dtype}) is ${
          elements * BigInt(size)
        } bytes but data_offsets span ${end - begin}`,
        at,
      );
      continue;
    }
    spans.push({ name, begin, end });
  }
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  for (const s of spans) {
    const at = `${location}.header[${JSON.stringify(s.name)}]`;
    if (s.begin < pos) {
      report.fail(
        'safetensors/overlap',
        `tensor data [${s.begin}, ${s.end}) overlaps an earlier tensor`,
        at,
      );
    } else if (s.begin > pos) {
      report.fail(
        'safetensors/gap',
        `${s.begin - pos} unused bytes precede this tensor's data`,
        at,
      );
    }
    pos = Math.max(pos, s.end);
  }
  if (report.parsedFully && pos !== dataSize) {
    report.fail(
      'safetensors/gap',
      `${
        dataSize - pos
      } bytes at the end of the data section belong to no tensor`,
      `${location}@offset ${8 + n + pos}`,
    );
  }
}
