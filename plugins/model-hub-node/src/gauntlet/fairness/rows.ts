import { FairnessInputError } from './dictionary';

/**
 * Streaming readers for evaluation files: CSV (RFC 4180: header row, `,`
 * separators, `"`-quoted fields with `""` escapes and embedded newlines, LF or
 * CRLF line ends, optional UTF-8 BOM) and JSONL (one JSON object per line).
 */

/** The format of an evaluation file. */
export type EvaluationFileFormat = 'csv' | 'jsonl';

/** A byte source: a Node readable stream or any async iterable of chunks. */
export type ByteSource =
  | NodeJS.ReadableStream
  | AsyncIterable<Uint8Array | string>
  | Iterable<Uint8Array | string>;

/** Longest row (in bytes) the readers buffer before giving up. */
export const MAX_ROW_BYTES = 16 * 1024 * 1024;

/** Byte constants of the CSV grammar. */
export const COMMA = 0x2c;
/** `"` */
export const QUOTE = 0x22;
/** `\n` */
export const LF = 0x0a;
/** `\r` */
export const CR = 0x0d;

/** Picks the format from a file name: `.jsonl` / `.ndjson` are JSONL, anything else CSV. */
export function evaluationFileFormat(path: string): EvaluationFileFormat {
  return /\.(jsonl|ndjson)$/i.test(path) ? 'jsonl' : 'csv';
}

/** Normalizes chunks of a byte source to Buffers. */
export async function* bufferChunks(
  source: ByteSource,
): AsyncGenerator<Buffer> {
  for await (const chunk of source as AsyncIterable<Uint8Array | string>) {
    if (typeof chunk === 'string') yield Buffer.from(chunk, 'utf8');
    else if (Buffer.isBuffer(chunk)) yield chunk;
    else yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }
}

/**
 * Splits a byte source into complete units: `consume(buf, final)` returns how
 * many bytes of `buf` it consumed; the rest is kept and prefixed to the next
 * chunk. With `final` set, it must consume everything.
 */
export async function feedChunks(
  source: ByteSource,
  consume: (buf: Buffer, final: boolean) => number,
): Promise<void> {
  let leftover: Buffer | undefined;
  for await (const chunk of bufferChunks(source)) {
    const buf = leftover ? Buffer.concat([leftover, chunk]) : chunk;
    const used = consume(buf, false);
    if (used < buf.length) {
      if (buf.length - used > MAX_ROW_BYTES) {
        throw new FairnessInputError(
          `a row is longer than ${MAX_ROW_BYTES} bytes (or a quoted field is never closed)`,
        );
      }
      // Copy so a small remainder does not pin a large chunk.
      leftover = Buffer.from(buf.subarray(used));
    } else {
      leftover = undefined;
    }
  }
  if (leftover && leftover.length > 0) consume(leftover, true);
}

/** Removes `""` escapes from the inside of a quoted field. */
export function unescapeQuoted(
  buf: Uint8Array,
  start: number,
  end: number,
): Buffer {
  const out = Buffer.allocUnsafe(end - start);
  let n = 0;
  for (let i = start; i < end; i++) {
    out[n++] = buf[i];
    if (buf[i] === QUOTE) i++;
  }
  return out.subarray(0, n);
}

/**
 * Parses one CSV row starting at `pos`. Returns the fields and the offset after
 * the row's line end, or `undefined` when the row is not complete in `buf` and
 * more input may follow (`final` false). Empty lines give an empty field list.
 */
export function parseCsvRow(
  buf: Buffer,
  start: number,
  final: boolean,
  rowNumber: number,
): { fields: string[]; next: number } | undefined {
  let pos = start;
  const len = buf.length;
  const fields: string[] = [];
  if (pos < len && (buf[pos] === LF || buf[pos] === CR)) {
    let next = pos + 1;
    if (buf[pos] === CR && next < len && buf[next] === LF) next++;
    return { fields, next };
  }
  for (;;) {
    if (pos < len && buf[pos] === QUOTE) {
      let p = pos + 1;
      let escapes = false;
      let close: number;
      for (;;) {
        const q = buf.indexOf(QUOTE, p);
        if (q === -1) {
          if (!final) return undefined;
          throw new FairnessInputError(
            `row ${rowNumber}: a quoted field is never closed`,
          );
        }
        if (q + 1 < len && buf[q + 1] === QUOTE) {
          escapes = true;
          p = q + 2;
          continue;
        }
        if (q + 1 >= len && !final) return undefined;
        close = q;
        break;
      }
      fields.push(
        escapes
          ? unescapeQuoted(buf, pos + 1, close).toString('utf8')
          : buf.toString('utf8', pos + 1, close),
      );
      pos = close + 1;
      if (
        pos < len &&
        buf[pos] !== COMMA &&
        buf[pos] !== LF &&
        buf[pos] !== CR
      ) {
        throw new FairnessInputError(
          `row ${rowNumber}: unexpected character after the closing quote of field ${fields.length}`,
        );
      }
    } else {
      const fieldStart = pos;
      while (pos < len) {
        const c = buf[pos];
        if (c === COMMA || c === LF || c === CR) break;
        pos++;
      }
      if (pos >= len && !final) return undefined;
      fields.push(buf.toString('utf8', fieldStart, pos));
    }
    if (pos >= len) return { fields, next: pos };
    const c = buf[pos++];
    if (c === COMMA) continue;
    if (c === CR && pos < len && buf[pos] === LF) pos++;
    return { fields, next: pos };
  }
}

/** Strips a UTF-8 byte order mark from the start of a header field. */
export function stripBom(s: string): string {
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
}

/** Reads CSV rows as arrays of strings (the header row included), skipping empty lines. */
export async function* readCsvFields(
  source: ByteSource,
): AsyncGenerator<string[]> {
  const pending: string[][] = [];
  let row = 0;
  const consume = (buf: Buffer, final: boolean) => {
    let pos = 0;
    while (pos < buf.length) {
      const parsed = parseCsvRow(buf, pos, final, row);
      if (!parsed) break;
      pos = parsed.next;
      if (parsed.fields.length > 0) {
        if (row === 0) parsed.fields[0] = stripBom(parsed.fields[0]);
        pending.push(parsed.fields);
        row++;
      }
    }
    return pos;
  };
  // feedChunks drives `consume` synchronously per chunk; hand the rows out between chunks.
  const iterator = bufferChunks(source)[Symbol.asyncIterator]();
  let leftover: Buffer | undefined;
  for (;;) {
    const { value, done } = await iterator.next();
    if (done) break;
    const buf: Buffer = leftover ? Buffer.concat([leftover, value]) : value;
    const used = consume(buf, false);
    if (buf.length - used > MAX_ROW_BYTES) {
      throw new FairnessInputError(
        `a row is longer than ${MAX_ROW_BYTES} bytes (or a quoted field is never closed)`,
      );
    }
    leftover = used < buf.length ? Buffer.from(buf.subarray(used)) : undefined;
    yield* pending.splice(0);
  }
  if (leftover) consume(leftover, true);
  yield* pending.splice(0);
}

/** Reads CSV rows as records keyed by the header; a row with the wrong number of fields is an error. */
export async function* readCsvRecords(
  source: ByteSource,
): AsyncGenerator<Record<string, string>> {
  let header: string[] | undefined;
  let row = 0;
  for await (const fields of readCsvFields(source)) {
    if (!header) {
      header = fields;
      continue;
    }
    row++;
    if (fields.length !== header.length) {
      throw new FairnessInputError(
        `data row ${row} has ${fields.length} fields, the header has ${header.length}`,
      );
    }
    const record: Record<string, string> = {};
    for (let i = 0; i < header.length; i++) record[header[i]] = fields[i];
    yield record;
  }
}

/** Reads JSONL: one JSON object per non-empty line. */
export async function* readJsonlRecords(
  source: ByteSource,
): AsyncGenerator<Record<string, unknown>> {
  let leftover = '';
  let line = 0;
  const parse = (text: string) => {
    line++;
    if (text.trim() === '') return undefined;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new FairnessInputError(
        `line ${line} is not valid JSON: ${(e as Error).message}`,
      );
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new FairnessInputError(`line ${line} is not a JSON object`);
    }
    return value as Record<string, unknown>;
  };
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of bufferChunks(source)) {
    const text = leftover + decoder.decode(chunk, { stream: true });
    const lines = text.split('\n');
    leftover = lines.pop() ?? '';
    if (leftover.length > MAX_ROW_BYTES) {
      throw new FairnessInputError(
        `line ${line + 1} is longer than ${MAX_ROW_BYTES} characters`,
      );
    }
    for (const l of lines) {
      const record = parse(l);
      if (record) yield record;
    }
  }
  const record = parse(leftover + decoder.decode());
  if (record) yield record;
}

/**
 * Reads an evaluation file as records (column → value). For large files
 * prefer {@link computeFairness} on the raw bytes, which avoids building a
 * record per row.
 */
export function readRows(
  source: ByteSource,
  format: EvaluationFileFormat = 'csv',
): AsyncGenerator<Record<string, unknown>> {
  return format === 'jsonl' ? readJsonlRecords(source) : readCsvRecords(source);
}
