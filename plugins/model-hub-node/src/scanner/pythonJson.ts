/*
 * JSON as Python's json module reads it, for the configs Python loaders
 * read (Keras' config.json and HDF5 model_config, transformers'
 * config.json): JSON.parse refuses what they accept, and a config the
 * scanner cannot parse is one whose Lambdas and auto_map it never sees.
 */

/**
 * Decodes bytes as `json.loads(bytes)` does (`json.detect_encoding`): a
 * UTF-32, UTF-16 or UTF-8 byte-order mark, else NUL bytes among the first
 * four tell UTF-16 or UTF-32 and the byte order, else UTF-8.
 */
export function decodeJsonBytes(b: Buffer): string {
  const starts = (...bytes: number[]) => bytes.every((x, i) => b[i] === x);
  if (starts(0, 0, 0xfe, 0xff)) return utf32(b.subarray(4), false);
  if (starts(0xff, 0xfe, 0, 0)) return utf32(b.subarray(4), true);
  if (starts(0xfe, 0xff)) return utf16(b.subarray(2), false);
  if (starts(0xff, 0xfe)) return utf16(b.subarray(2), true);
  if (starts(0xef, 0xbb, 0xbf)) return b.subarray(3).toString('utf8');
  if (b.length >= 4) {
    if (!b[0]) return b[1] ? utf16(b, false) : utf32(b, false);
    if (!b[1]) return b[2] || b[3] ? utf16(b, true) : utf32(b, true);
  } else if (b.length === 2) {
    if (!b[0]) return utf16(b, false);
    if (!b[1]) return utf16(b, true);
  }
  return b.toString('utf8');
}

function utf16(b: Buffer, littleEndian: boolean): string {
  return new TextDecoder(littleEndian ? 'utf-16le' : 'utf-16be').decode(b);
}

function utf32(b: Buffer, littleEndian: boolean): string {
  const parts: string[] = [];
  for (let i = 0; i + 4 <= b.length; i += 4) {
    const cp = littleEndian ? b.readUInt32LE(i) : b.readUInt32BE(i);
    parts.push(cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd');
  }
  return parts.join('');
}

/**
 * Parses JSON text as Python's `json.loads` does: the constants `NaN`,
 * `Infinity` and `-Infinity` are accepted (read as `null`; only the
 * structure matters to the scanner). Bytes are decoded first with
 * {@link decodeJsonBytes}. Throws a `SyntaxError` like `JSON.parse`.
 */
export function parsePythonJson(input: Buffer | string): unknown {
  const text = typeof input === 'string' ? input : decodeJsonBytes(input);
  try {
    return JSON.parse(text);
  } catch (e) {
    const replaced = replaceConstants(text);
    if (replaced === text) throw e;
    return JSON.parse(replaced);
  }
}

const CONSTANTS = ['-Infinity', 'Infinity', 'NaN'];

const startsAt = (text: string, at: number) => (word: string) =>
  text.startsWith(word, at);

/** `text` with every NaN, Infinity and -Infinity outside strings made `null`. */
function replaceConstants(text: string): string {
  const out: string[] = [];
  let from = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i++;
      continue;
    }
    const word = CONSTANTS.find(startsAt(text, i));
    if (word) {
      out.push(text.slice(from, i), 'null');
      i += word.length;
      from = i;
      continue;
    }
    i++;
  }
  out.push(text.slice(from));
  return out.join('');
}
