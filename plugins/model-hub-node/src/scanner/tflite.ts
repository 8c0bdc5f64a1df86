import { MalformedError, ScanReport } from './report';
import { RandomSource } from './source';

/*
 * TensorFlow Lite models (a flatbuffer, schema tensorflow/lite/schema.fbs).
 * Only the operator table is read: builtin kernels are fixed code in the
 * interpreter; a custom op needs a kernel the loading app registers; a Flex
 * op (`Select TF ops`, custom code `Flex<TF op>`) runs a TensorFlow kernel
 * through the Flex delegate that tf.lite.Interpreter links in, file reads
 * and writes included.
 */

/** Whether the bytes start a TFLite flatbuffer (file identifier `TFL3` at 4). */
export function isTfliteHead(head: Buffer): boolean {
  return head.length >= 8 && head.subarray(4, 8).toString('latin1') === 'TFL3';
}

/** BuiltinOperator.CUSTOM: the op is named by its custom code. */
const CUSTOM = 32;
/** More operator codes than any real model has. */
const MAX_OPERATOR_CODES = 100_000;
/** Longest custom code read. */
const MAX_CUSTOM_CODE = 4096;

/**
 * TensorFlow ops a Flex op may not run: files, I/O, Python, datasets,
 * network and anything that executes a function or program.
 */
const DANGEROUS_TF_OPS =
  /File|Save|Restore|Read|Write|Py|Print|Dataset|Iterator|Reader|Queue|Load|Dump|Debug|Summary|Record|Rpc|Send|Recv|Http|Gcs|S3|Remote|Execute|Call|Function|Shell|Env|Directory|Delete|Rename|Copy|Lookup|Checkpoint|Variable|Resource|Mutex|Barrier|Stage|Assert|Audio|Image|Decode|Encode|Sleep/;

function bad(message: string, location: string): never {
  throw new MalformedError('tflite/malformed', message, location);
}

/** Reads TFLite flatbuffer fields with bounds checks. */
class Flat {
  constructor(
    private readonly src: RandomSource,
    private readonly location: string,
  ) {}

  async bytes(at: number, n: number): Promise<Buffer> {
    if (at < 0 || at + n > this.src.size) {
      bad(`offset ${at} is outside the file`, this.location);
    }
    return this.src.read(at, n);
  }

  async u32(at: number) {
    return (await this.bytes(at, 4)).readUInt32LE(0);
  }

  async i32(at: number) {
    return (await this.bytes(at, 4)).readInt32LE(0);
  }

  /** Where field `index` of the table at `table` is, if present. */
  async field(table: number, index: number): Promise<number | undefined> {
    const vtable = table - (await this.i32(table));
    const head = await this.bytes(vtable, 4);
    const vtSize = head.readUInt16LE(0);
    if (vtSize < 4 || vtSize % 2) bad('invalid vtable', this.location);
    const slot = 4 + index * 2;
    if (slot + 2 > vtSize) return undefined;
    const off = (await this.bytes(vtable + slot, 2)).readUInt16LE(0);
    return off ? table + off : undefined;
  }

  /** Follows the offset stored at `at`. */
  async deref(at: number) {
    return at + (await this.u32(at));
  }
}

/**
 * Reads the operator table of a TFLite model and reports its custom and
 * Flex ops; a malformed table is recorded (`tflite/malformed`, verdict
 * `error`).
 */
export async function scanTflite(
  src: RandomSource,
  report: ScanReport,
  location: string,
): Promise<void> {
  try {
    await scanOperatorCodes(src, report, location);
  } catch (e) {
    if (!(e instanceof MalformedError)) throw e;
    report.fail(e.rule, e.message, e.location ?? location);
  }
}

async function scanOperatorCodes(
  src: RandomSource,
  report: ScanReport,
  location: string,
): Promise<void> {
  const f = new Flat(src, location);
  const model = await f.deref(0);
  const codesAt = await f.field(model, 1);
  if (codesAt === undefined) return;
  const vector = await f.deref(codesAt);
  const count = await f.u32(vector);
  if (count > MAX_OPERATOR_CODES) {
    bad(`${count} operator codes is more than a model has`, location);
  }
  await f.bytes(vector + 4, count * 4);
  for (let i = 0; i < count; i++) {
    const op = await f.deref(vector + 4 + 4 * i);
    const deprecatedAt = await f.field(op, 0);
    const builtinAt = await f.field(op, 3);
    const deprecated =
      deprecatedAt === undefined
        ? 0
        : (await f.bytes(deprecatedAt, 1)).readInt8(0);
    const builtin = builtinAt === undefined ? 0 : await f.i32(builtinAt);
    if (Math.max(deprecated, builtin) !== CUSTOM) continue;
    const customAt = await f.field(op, 1);
    let name = '';
    if (customAt !== undefined) {
      const str = await f.deref(customAt);
      const len = await f.u32(str);
      name = (await f.bytes(str + 4, Math.min(len, MAX_CUSTOM_CODE))).toString(
        'utf8',
      );
    }
    const at = `${location}:operator_codes[${i}]`;
    if (name.startsWith('Flex')) {
      const tfOp = name.slice(4);
      if (DANGEROUS_TF_OPS.test(tfOp)) {
        report.add(
          'high',
          'tflite/flex-op',
          `Flex op ${JSON.stringify(
            name,
          )} runs the TensorFlow kernel ${tfOp}, which reaches files, Python or other programs when the model runs`,
          at,
        );
      } else {
        report.fail(
          'tflite/flex-op',
          `Flex op ${JSON.stringify(
            name,
          )} runs the TensorFlow kernel ${tfOp}, which the scanner does not judge; have it reviewed`,
          at,
        );
      }
    } else {
      report.add(
        'medium',
        'tflite/custom-op',
        `custom op ${JSON.stringify(
          name,
        )} needs a kernel the loading app registers; check it is one you ship`,
        at,
      );
    }
  }
}
