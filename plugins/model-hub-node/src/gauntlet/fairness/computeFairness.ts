import { scanCsvInto } from './fastCsv';
import {
  FairnessAccumulator,
  FairnessOptions,
  FairnessReport,
  finalizeFairness,
} from './metrics';
import { ByteSource, EvaluationFileFormat, readJsonlRecords } from './rows';

/** Rows given as records (column → value). */
export type FairnessRecords =
  | AsyncIterable<Record<string, unknown>>
  | Iterable<Record<string, unknown>>;

/** Options of {@link computeFairness} when the input is bytes. */
export interface ComputeFairnessOptions extends FairnessOptions {
  /** Format of byte input (default `csv`); ignored for record input. */
  format?: EvaluationFileFormat;
}

function isByteChunk(value: unknown): boolean {
  return typeof value === 'string' || value instanceof Uint8Array;
}

function isStream(input: unknown): input is NodeJS.ReadableStream {
  return (
    typeof input === 'object' &&
    input !== null &&
    typeof (input as NodeJS.ReadableStream).pipe === 'function'
  );
}

/**
 * Computes group fairness metrics (see {@link FairnessReport}) in one
 * streaming pass with memory bounded by the number of distinct value
 * combinations. The input is either records or the bytes of a CSV/JSONL file
 * (a stream or async iterable of Buffers/strings); CSV bytes take a fast path
 * that allocates nothing per row.
 */
export async function computeFairness(
  input: ByteSource | FairnessRecords,
  options: ComputeFairnessOptions,
): Promise<FairnessReport> {
  const acc = new FairnessAccumulator(options);
  if (isStream(input)) {
    await addBytes(input, acc, options.format ?? 'csv');
    return finalizeFairness(acc, options);
  }
  // Peek at the first item to tell bytes from records.
  const iterator =
    Symbol.asyncIterator in (input as object)
      ? (input as AsyncIterable<unknown>)[Symbol.asyncIterator]()
      : (input as Iterable<unknown>)[Symbol.iterator]();
  const first = await iterator.next();
  const rest: AsyncIterable<unknown> = {
    [Symbol.asyncIterator]: () => {
      let pendingFirst = !first.done;
      return {
        next: async () => {
          if (pendingFirst) {
            pendingFirst = false;
            return first;
          }
          return iterator.next();
        },
      };
    },
  };
  if (!first.done && isByteChunk(first.value)) {
    await addBytes(rest as ByteSource, acc, options.format ?? 'csv');
  } else {
    let row = 0;
    for await (const record of rest) {
      row++;
      if (typeof record !== 'object' || record === null) {
        throw new TypeError(`row ${row} is not an object`);
      }
      acc.addRecord(record as Record<string, unknown>, row);
    }
  }
  return finalizeFairness(acc, options);
}

async function addBytes(
  source: ByteSource,
  acc: FairnessAccumulator,
  format: EvaluationFileFormat,
): Promise<void> {
  if (format === 'csv') {
    await scanCsvInto(source, acc);
    return;
  }
  let row = 0;
  for await (const record of readJsonlRecords(source)) {
    acc.addRecord(record, ++row);
  }
}
