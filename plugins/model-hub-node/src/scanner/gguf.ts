import { MalformedError, ScanReport } from './report';
import { reportChatTemplate } from './chatTemplateReport';
import { Cursor, RandomSource, readChunks } from './source';

/** `GGUF` as the first four bytes. */
export const GGUF_MAGIC = Buffer.from('GGUF', 'latin1');

const LIMITS = {
  maxTensors: 1_000_000,
  maxKv: 1_000_000,
  maxString: 64 * 1024 * 1024,
  maxArray: 100_000_000,
  maxDims: 8,
};

/** Block size and bytes per block of ggml tensor types, by type id. */
const GGML_TYPES: Record<number, [number, number]> = {
  0: [1, 4], // F32
  1: [1, 2], // F16
  2: [32, 18], // Q4_0
  3: [32, 20], // Q4_1
  6: [32, 22], // Q5_0
  7: [32, 24], // Q5_1
  8: [32, 34], // Q8_0
  9: [32, 36], // Q8_1
  10: [256, 84], // Q2_K
  11: [256, 110], // Q3_K
  12: [256, 144], // Q4_K
  13: [256, 176], // Q5_K
  14: [256, 210], // Q6_K
  15: [256, 292], // Q8_K
  16: [256, 66], // IQ2_XXS
  17: [256, 74], // IQ2_XS
  18: [256, 98], // IQ3_XXS
  19: [256, 50], // IQ1_S
  20: [32, 18], // IQ4_NL
  21: [256, 110], // IQ3_S
  22: [256, 82], // IQ2_S
  23: [256, 136], // IQ4_XS
  24: [1, 1], // I8
  25: [1, 2], // I16
  26: [1, 4], // I32
  27: [1, 8], // I64
  28: [1, 8], // F64
  29: [256, 56], // IQ1_M
  30: [1, 2], // BF16
  34: [256, 54], // TQ1_0
  35: [256, 66], // TQ2_0
};

type GgufValue = string | number | bigint | boolean | null;

/**
 * Parses a GGUF v2/v3 header: metadata key/values (every type, arrays
 * included, bounded), tensor infos, and checks tensor data lies inside the
 * file. Flags chat templates that carry template-injection patterns.
 */
export async function scanGguf(
  src: RandomSource,
  report: ScanReport,
  location: string,
): Promise<void> {
  const cur = new Cursor(readChunks(src, 0, src.size, 1 << 20));
  const at = (o: number) => `${location}@offset ${o}`;
  const need = async (n: number) => {
    if (!(await cur.fill(n))) {
      throw new MalformedError(
        'gguf/truncated',
        'the GGUF header is truncated',
        at(cur.offset),
      );
    }
  };
  const u32 = async () => {
    await need(4);
    const v = cur.buf.readUInt32LE(cur.pos);
    cur.pos += 4;
    return v;
  };
  const u64 = async (what: string) => {
    await need(8);
    const v = cur.buf.readBigUInt64LE(cur.pos);
    cur.pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new MalformedError(
        'gguf/malformed',
        `${what} ${v} is implausible`,
        at(cur.offset - 8),
      );
    }
    return Number(v);
  };
  const str = async (keep: boolean): Promise<string | null> => {
    const n = await u64('string length');
    if (n > LIMITS.maxString || n > src.size) {
      throw new MalformedError(
        'gguf/malformed',
        `string of ${n} bytes is implausible`,
        at(cur.offset - 8),
      );
    }
    if (keep) {
      await need(n);
      const s = cur.buf.toString('utf8', cur.pos, cur.pos + n);
      cur.pos += n;
      return s;
    }
    if (!(await cur.skip(n))) {
      throw new MalformedError(
        'gguf/truncated',
        'the GGUF header is truncated',
        at(cur.offset),
      );
    }
    return null;
  };
  const FIXED: Record<number, number> = {
    0: 1,
    1: 1,
    2: 2,
    3: 2,
    4: 4,
    5: 4,
    6: 4,
    7: 1,
    10: 8,
    11: 8,
    12: 8,
  };
  const value = async (
    type: number,
    keepString: boolean,
    depth: number,
  ): Promise<GgufValue> => {
    const fixed = FIXED[type];
    if (fixed !== undefined) {
      await need(fixed);
      const b = cur.buf;
      const p = cur.pos;
      cur.pos += fixed;
      switch (type) {
        case 0:
          return b.readUInt8(p);
        case 1:
          return b.readInt8(p);
        case 2:
          return b.readUInt16LE(p);
        case 3:
          return b.readInt16LE(p);
        case 4:
          return b.readUInt32LE(p);
        case 5:
          return b.readInt32LE(p);
        case 6:
          return b.readFloatLE(p);
        case 7:
          if (b[p] > 1)
            throw new MalformedError(
              'gguf/malformed',
              'bool value is not 0 or 1',
              at(p),
            );
          return b[p] === 1;
        case 10:
          return b.readBigUInt64LE(p);
        case 11:
          return b.readBigInt64LE(p);
        default:
          return b.readDoubleLE(p);
      }
    }
    if (type === 8) return str(keepString);
    if (type === 9) {
      if (depth > 4)
        throw new MalformedError(
          'gguf/malformed',
          'arrays nest too deep',
          at(cur.offset),
        );
      const et = await u32();
      const n = await u64('array length');
      if (n > LIMITS.maxArray) {
        throw new MalformedError(
          'gguf/malformed',
          `array of ${n} elements is implausible`,
          at(cur.offset),
        );
      }
      const efixed = FIXED[et];
      if (keepString && et === 8) {
        // llama.cpp keeps every metadata value as text (gguf_kv_to_str), an
        // array of strings as ["a", "b"] with quotes and backslashes
        // escaped, and renders a chat template read that way.
        const items: string[] = [];
        let total = 0;
        for (let i = 0; i < n; i++) {
          const item = (await str(true))!;
          total += item.length;
          if (total > LIMITS.maxString) {
            throw new MalformedError(
              'gguf/malformed',
              `an array of strings past ${LIMITS.maxString} bytes is implausible as a chat template`,
              at(cur.offset),
            );
          }
          items.push(`"${item.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`);
        }
        return `[${items.join(', ')}]`;
      }
      if (efixed !== undefined) {
        if (!(await cur.skip(efixed * n))) {
          throw new MalformedError(
            'gguf/truncated',
            'the GGUF header is truncated',
            at(cur.offset),
          );
        }
      } else if (et === 8 || et === 9) {
        for (let i = 0; i < n; i++) await value(et, false, depth + 1);
      } else {
        throw new MalformedError(
          'gguf/malformed',
          `unknown array element type ${et}`,
          at(cur.offset),
        );
      }
      return null;
    }
    throw new MalformedError(
      'gguf/malformed',
      `unknown metadata value type ${type}`,
      at(cur.offset - 4),
    );
  };

  try {
    await need(24);
    if (!cur.buf.subarray(0, 4).equals(GGUF_MAGIC)) {
      throw new MalformedError('gguf/malformed', 'missing GGUF magic', at(0));
    }
    cur.pos = 4;
    const version = await u32();
    if (version !== 2 && version !== 3) {
      throw new MalformedError(
        'gguf/unsupported-version',
        `GGUF version ${version} is not supported (2 or 3)`,
        at(4),
      );
    }
    const tensorCount = await u64('tensor count');
    const kvCount = await u64('metadata count');
    if (tensorCount > LIMITS.maxTensors || kvCount > LIMITS.maxKv) {
      throw new MalformedError(
        'gguf/limit-exceeded',
        `${tensorCount} tensors / ${kvCount} metadata entries exceed the limits`,
        at(8),
      );
    }
    let alignment = 32;
    for (let i = 0; i < kvCount; i++) {
      const keyAt = cur.offset;
      const key = (await str(true))!;
      const type = await u32();
      const isTemplate =
        key === 'tokenizer.chat_template' ||
        key.startsWith('tokenizer.chat_template.');
      const v = await value(type, isTemplate || key === 'general.alignment', 0);
      if (key === 'general.alignment') {
        if (typeof v !== 'number' || v === 0 || (v & (v - 1)) !== 0) {
          throw new MalformedError(
            'gguf/malformed',
            'general.alignment is not a power of two',
            at(keyAt),
          );
        }
        alignment = v;
      }
      if (isTemplate && typeof v === 'string') {
        reportChatTemplate(
          report,
          v,
          `${location}.metadata[${JSON.stringify(key)}]`,
        );
      }
    }
    const tensors: Array<{
      name: string;
      offset: number;
      bytes: number | undefined;
    }> = [];
    for (let i = 0; i < tensorCount; i++) {
      const name = (await str(true))!;
      const nDims = await u32();
      if (nDims > LIMITS.maxDims) {
        throw new MalformedError(
          'gguf/malformed',
          `tensor ${name} has ${nDims} dimensions`,
          at(cur.offset),
        );
      }
      let elements = 1n;
      for (let d = 0; d < nDims; d++)
        elements *= BigInt(await u64('dimension'));
      const type = await u32();
      const offset = await u64('tensor offset');
      if (offset % alignment !== 0) {
        throw new MalformedError(
          'gguf/malformed',
          `tensor ${name} offset is not aligned to ${alignment}`,
          at(cur.offset),
        );
      }
      const t = GGML_TYPES[type];
      let bytes: number | undefined;
      if (!t) {
        report.add(
          'low',
          'gguf/unknown-tensor-type',
          `tensor ${name} has unknown ggml type ${type}; its size was not checked`,
          location,
        );
      } else {
        const [block, perBlock] = t;
        if (elements % BigInt(block) !== 0n) {
          throw new MalformedError(
            'gguf/malformed',
            `tensor ${name} size is not a multiple of its block size`,
            location,
          );
        }
        const b = (elements / BigInt(block)) * BigInt(perBlock);
        if (b > BigInt(Number.MAX_SAFE_INTEGER)) {
          throw new MalformedError(
            'gguf/malformed',
            `tensor ${name} is implausibly large`,
            location,
          );
        }
        bytes = Number(b);
      }
      tensors.push({ name, offset, bytes });
    }
    const headerEnd = cur.offset;
    const dataStart = Math.ceil(headerEnd / alignment) * alignment;
    if (tensorCount > 0 && dataStart > src.size) {
      throw new MalformedError(
        'gguf/truncated',
        'the tensor data section is missing',
        at(headerEnd),
      );
    }
    const dataSize = src.size - dataStart;
    for (const t of tensors) {
      if (t.offset + (t.bytes ?? 0) > dataSize) {
        throw new MalformedError(
          'gguf/truncated',
          `tensor ${t.name} data [${t.offset}, ${
            t.offset + (t.bytes ?? 0)
          }) lies beyond the ${dataSize}-byte data section`,
          location,
        );
      }
    }
  } catch (e) {
    if (!(e instanceof MalformedError)) throw e;
    report.fail(e.rule, e.message, e.location);
  } finally {
    await cur.close();
  }
}
