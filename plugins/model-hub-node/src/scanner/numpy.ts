import { MalformedError, ScanReport } from './report';
import { Cursor } from './source';
import { scanPickleStream } from './pickle/scanPickle';

/** The `.npy` magic string. */
export const NPY_MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);

type PyValue =
  | string
  | number
  | boolean
  | null
  | PyValue[]
  | { [k: string]: PyValue };

/** Parses the Python literal of an `.npy` header (dict/tuple/list/str/int/bool/None). */
export function parsePyLiteral(text: string): PyValue {
  let i = 0;
  const fail = (msg: string): never => {
    throw new MalformedError(
      'numpy/bad-header',
      `header is not a valid literal: ${msg} at ${i}`,
    );
  };
  const ws = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const value = (depth: number): PyValue => {
    if (depth > 32) fail('nesting too deep');
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const obj: { [k: string]: PyValue } = {};
      for (;;) {
        ws();
        if (text[i] === '}') {
          i++;
          return obj;
        }
        const k = value(depth + 1);
        if (typeof k !== 'string') fail('dict key is not a string');
        ws();
        if (text[i++] !== ':') fail('expected ":"');
        obj[k as string] = value(depth + 1);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== '}') fail('expected "," or "}"');
      }
    }
    if (c === '(' || c === '[') {
      const close = c === '(' ? ')' : ']';
      i++;
      const arr: PyValue[] = [];
      for (;;) {
        ws();
        if (text[i] === close) {
          i++;
          return arr;
        }
        arr.push(value(depth + 1));
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== close) fail(`expected "," or "${close}"`);
      }
    }
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) fail('unterminated string');
      const s = text.slice(i + 1, end);
      i = end + 1;
      return s;
    }
    const m = /^(True|False|None|-?\d+L?)/.exec(text.slice(i, i + 32));
    if (!m) return fail('unexpected token');
    i += m[0].length;
    if (m[0] === 'True') return true;
    if (m[0] === 'False') return false;
    if (m[0] === 'None') return null;
    return parseInt(m[0], 10);
  };
  const v = value(0);
  ws();
  if (i !== text.length) fail('trailing characters');
  return v;
}

interface DtypeInfo {
  itemsize: bigint;
  hasObject: boolean;
}

/** Size and object-ness of a NumPy dtype descr (string or structured list). */
export function dtypeInfo(descr: PyValue, depth = 0): DtypeInfo {
  if (depth > 16)
    throw new MalformedError(
      'numpy/bad-dtype',
      'structured dtype nests too deep',
    );
  if (typeof descr === 'string') {
    const m =
      /^([<>|=]?)([?bBhHiIlLqQpPefdgFDGSaUVOMmuc])(\d*)(\[[a-zA-Z0-9]+\])?$/.exec(
        descr,
      );
    if (!m)
      throw new MalformedError(
        'numpy/bad-dtype',
        `unknown dtype ${JSON.stringify(descr)}`,
      );
    const [, , kind, digits] = m;
    const n = digits ? BigInt(digits) : undefined;
    switch (kind) {
      case 'O':
        return { itemsize: 8n, hasObject: true };
      case '?':
        return { itemsize: 1n, hasObject: false };
      case 'b':
      case 'i':
      case 'u':
      case 'f':
      case 'c':
        if (n === undefined) {
          if (kind === 'b') return { itemsize: 1n, hasObject: false };
          throw new MalformedError(
            'numpy/bad-dtype',
            `dtype ${descr} lacks a size`,
          );
        }
        if (![1n, 2n, 4n, 8n, 16n, 32n].includes(n)) {
          throw new MalformedError(
            'numpy/bad-dtype',
            `dtype ${descr} has an impossible size`,
          );
        }
        return { itemsize: n, hasObject: false };
      case 'S':
      case 'a':
      case 'V':
        return { itemsize: n ?? 0n, hasObject: false };
      case 'U':
        return { itemsize: 4n * (n ?? 0n), hasObject: false };
      case 'M':
      case 'm':
        return { itemsize: 8n, hasObject: false };
      default: {
        const sizes: Record<string, bigint> = {
          B: 1n,
          h: 2n,
          H: 2n,
          I: 4n,
          l: 8n,
          L: 8n,
          q: 8n,
          Q: 8n,
          p: 8n,
          P: 8n,
          e: 2n,
          d: 8n,
          g: 16n,
          F: 8n,
          D: 16n,
          G: 32n,
        };
        return { itemsize: sizes[kind], hasObject: false };
      }
    }
  }
  // descr_to_dtype iterates any other descr (a dict gives its keys) and
  // unpacks each field as (name, dtype[, shape]): the two-character
  // string "xO" is field x of dtype O.
  const fields =
    descr && typeof descr === 'object' && !Array.isArray(descr)
      ? Object.keys(descr)
      : descr;
  if (Array.isArray(fields)) {
    let itemsize = 0n;
    let hasObject = false;
    for (const item of fields) {
      const field =
        typeof item === 'string' && (item.length === 2 || item.length === 3)
          ? [...item]
          : item;
      if (!Array.isArray(field) || field.length < 2 || field.length > 3) {
        throw new MalformedError(
          'numpy/bad-dtype',
          'structured dtype field is not (name, dtype[, shape])',
        );
      }
      const inner = dtypeInfo(field[1], depth + 1);
      let count = 1n;
      if (field.length === 3) count = shapeProduct(field[2]);
      itemsize += inner.itemsize * count;
      hasObject ||= inner.hasObject;
    }
    return { itemsize, hasObject };
  }
  throw new MalformedError(
    'numpy/bad-dtype',
    'descr is neither a string nor a field list',
  );
}

function shapeProduct(shape: PyValue): bigint {
  const dims = typeof shape === 'number' ? [shape] : shape;
  if (!Array.isArray(dims))
    throw new MalformedError('numpy/bad-header', 'shape is not a tuple');
  let p = 1n;
  for (const d of dims) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new MalformedError(
        'numpy/bad-header',
        'shape holds a non-integer or negative dimension',
      );
    }
    p *= BigInt(d);
  }
  return p;
}

/**
 * Scans an `.npy` stream: validates the header, checks the data length of
 * plain arrays and scans the pickle that object arrays carry.
 */
export async function scanNpy(
  cur: Cursor,
  totalSize: number,
  report: ScanReport,
  location: string,
): Promise<void> {
  const at = (o: number) => `${location}@offset ${o}`;
  if (
    !(await cur.fill(10)) ||
    !cur.buf.subarray(cur.pos, cur.pos + 6).equals(NPY_MAGIC)
  ) {
    report.fail('numpy/truncated', 'the .npy preamble is truncated', location);
    return;
  }
  const major = cur.buf[cur.pos + 6];
  let headerLen: number;
  let pre: number;
  if (major === 1) {
    headerLen = cur.buf.readUInt16LE(cur.pos + 8);
    pre = 10;
  } else if (major === 2 || major === 3) {
    if (!(await cur.fill(12))) {
      report.fail(
        'numpy/truncated',
        'the .npy preamble is truncated',
        location,
      );
      return;
    }
    headerLen = cur.buf.readUInt32LE(cur.pos + 8);
    pre = 12;
  } else {
    report.fail(
      'numpy/bad-header',
      `unknown .npy format version ${major}`,
      at(6),
    );
    return;
  }
  if (headerLen > 1 << 20) {
    report.fail(
      'numpy/bad-header',
      `header length ${headerLen} is implausible`,
      at(8),
    );
    return;
  }
  if (!(await cur.fill(pre + headerLen))) {
    report.fail('numpy/truncated', 'the .npy header is truncated', at(pre));
    return;
  }
  const text = cur.buf.toString(
    major === 3 ? 'utf8' : 'latin1',
    cur.pos + pre,
    cur.pos + pre + headerLen,
  );
  cur.pos += pre + headerLen;
  const dataStart = pre + headerLen;
  let header: PyValue;
  let info: DtypeInfo;
  let count: bigint;
  try {
    header = parsePyLiteral(text.trimEnd());
    if (!header || typeof header !== 'object' || Array.isArray(header)) {
      throw new MalformedError('numpy/bad-header', 'header is not a dict');
    }
    const keys = Object.keys(header).sort().join(',');
    if (keys !== 'descr,fortran_order,shape') {
      throw new MalformedError(
        'numpy/bad-header',
        `header keys are {${keys}}, expected descr, fortran_order, shape`,
      );
    }
    if (typeof header.fortran_order !== 'boolean') {
      throw new MalformedError(
        'numpy/bad-header',
        'fortran_order is not a bool',
      );
    }
    info = dtypeInfo(header.descr);
    count = shapeProduct(header.shape);
  } catch (e) {
    if (!(e instanceof MalformedError)) throw e;
    report.fail(e.rule, e.message, `${location}.header`);
    return;
  }
  if (info.hasObject) {
    report.add(
      'medium',
      'numpy/object-array',
      'object arrays are stored as a pickle and load only with allow_pickle=True',
      `${location}.header`,
    );
    await scanPickleStream(cur, report, `${location}[pickle]`);
    return;
  }
  const expected = count * info.itemsize;
  const actual = BigInt(totalSize - dataStart);
  if (expected !== actual) {
    report.fail(
      'numpy/size-mismatch',
      `shape × itemsize is ${expected} bytes but ${actual} bytes of data follow the header`,
      at(dataStart),
    );
  }
}
