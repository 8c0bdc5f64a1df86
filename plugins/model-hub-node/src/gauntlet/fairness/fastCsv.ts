import {
  FairnessInputError,
  FNV_OFFSET,
  FNV_PRIME,
  hashBytes,
} from './dictionary';
import { FairnessAccumulator } from './metrics';
import {
  ByteSource,
  COMMA,
  CR,
  feedChunks,
  LF,
  parseCsvRow,
  QUOTE,
  stripBom,
  unescapeQuoted,
} from './rows';

/**
 * Feeds a CSV byte stream into a {@link FairnessAccumulator} without building
 * strings or objects per row: fields are scanned byte by byte on the chunk
 * Buffers, the needed columns are hashed while scanning and mapped to value
 * ids by their dictionaries. Same grammar as {@link parseCsvRow}.
 */
export async function scanCsvInto(
  source: ByteSource,
  acc: FairnessAccumulator,
): Promise<void> {
  let roleOfField: Int32Array | undefined;
  let fieldCount = 0;
  const dictionaries = acc.dictionaries;
  const ids = new Int32Array(acc.columns.length);
  let row = 0;

  const readHeader = (buf: Buffer, final: boolean): number => {
    let pos = 0;
    while (pos < buf.length) {
      const parsed = parseCsvRow(buf, pos, final, 0);
      if (!parsed) return pos;
      pos = parsed.next;
      if (parsed.fields.length === 0) continue;
      const header = parsed.fields;
      header[0] = stripBom(header[0]);
      fieldCount = header.length;
      const roles = new Int32Array(fieldCount).fill(-1);
      acc.columns.forEach((column, role) => {
        const index = header.indexOf(column);
        if (index === -1) {
          throw new FairnessInputError(
            `column "${column}" is not in the CSV header (columns: ${header.join(
              ', ',
            )})`,
          );
        }
        roles[index] = role;
      });
      roleOfField = roles;
      return pos;
    }
    return pos;
  };

  const consume = (buf: Buffer, final: boolean): number => {
    let pos = 0;
    if (!roleOfField) {
      pos = readHeader(buf, final);
      if (!roleOfField) return pos;
    }
    const roles = roleOfField;
    const len = buf.length;
    while (pos < len) {
      const rowStart = pos;
      let c = buf[pos];
      if (c === LF || c === CR) {
        pos++;
        continue;
      }
      let field = 0;
      for (;;) {
        const role = field < fieldCount ? roles[field] : -1;
        if (pos < len && buf[pos] === QUOTE) {
          let p = pos + 1;
          let escapes = false;
          let close: number;
          for (;;) {
            const q = buf.indexOf(QUOTE, p);
            if (q === -1) {
              if (!final) return rowStart;
              throw new FairnessInputError(
                `data row ${row + 1}: a quoted field is never closed`,
              );
            }
            if (q + 1 < len && buf[q + 1] === QUOTE) {
              escapes = true;
              p = q + 2;
              continue;
            }
            if (q + 1 >= len && !final) return rowStart;
            close = q;
            break;
          }
          if (role >= 0) {
            if (escapes) {
              const value = unescapeQuoted(buf, pos + 1, close);
              ids[role] = dictionaries[role].internBytes(
                value,
                0,
                value.length,
                hashBytes(value, 0, value.length),
              );
            } else {
              ids[role] = dictionaries[role].internBytes(
                buf,
                pos + 1,
                close,
                hashBytes(buf, pos + 1, close),
              );
            }
          }
          pos = close + 1;
          if (pos < len) {
            c = buf[pos];
            if (c !== COMMA && c !== LF && c !== CR) {
              throw new FairnessInputError(
                `data row ${
                  row + 1
                }: unexpected character after the closing quote of field ${
                  field + 1
                }`,
              );
            }
          }
        } else if (role >= 0) {
          const start = pos;
          let h = FNV_OFFSET;
          while (pos < len) {
            c = buf[pos];
            if (c === COMMA || c === LF || c === CR) break;
            h = Math.imul(h ^ c, FNV_PRIME);
            pos++;
          }
          if (pos >= len && !final) return rowStart;
          ids[role] = dictionaries[role].internBytes(buf, start, pos, h);
        } else {
          while (pos < len) {
            c = buf[pos];
            if (c === COMMA || c === LF || c === CR) break;
            pos++;
          }
          if (pos >= len && !final) return rowStart;
        }
        field++;
        if (pos < len) {
          c = buf[pos++];
          if (c === COMMA) continue;
          if (c === CR && pos < len && buf[pos] === LF) pos++;
        }
        break;
      }
      row++;
      if (field !== fieldCount) {
        throw new FairnessInputError(
          `data row ${row} has ${field} fields, the header has ${fieldCount}`,
        );
      }
      acc.addIds(ids);
    }
    return pos;
  };

  await feedChunks(source, consume);
  if (!roleOfField) {
    throw new FairnessInputError('the CSV file is empty (no header row)');
  }
}
