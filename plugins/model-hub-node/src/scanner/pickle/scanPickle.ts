import { Cursor } from '../source';
import { MalformedError, ScanReport } from '../report';
import { HIGHEST_PROTOCOL, OP, OPCODE_NAMES } from './opcodes';
import { classifyGlobal } from './globals';

/** Work limits for one pickle stream. */
export interface PickleLimits {
  maxOpcodes: number;
  maxMemo: number;
  maxStack: number;
  maxLine: number;
  maxPickles: number;
}

/** Defaults: far above any real checkpoint, far below a DoS. */
export const DEFAULT_PICKLE_LIMITS: PickleLimits = {
  maxOpcodes: 50_000_000,
  maxMemo: 5_000_000,
  maxStack: 5_000_000,
  maxLine: 64 * 1024 * 1024,
  maxPickles: 10_000,
};

/** Longest string kept for resolving module/name operands. */
const MAX_KEPT_STRING = 4096;

type Str = { t: 's'; v: string };
type Glob = { t: 'g'; module: string; name: string; key: string };
type Val = Str | Glob | { t: 'o' };
const OTHER: Val = { t: 'o' };

interface ImportRecord {
  module: string;
  name: string;
  via: string;
  offset: number;
  called: boolean;
  count: number;
}

/** Legacy (non-zip) `torch.save` streams start with this magic-number pickle. */
const TORCH_LEGACY_MAGIC = Buffer.from(
  '80028a0a6cfc9c46f9206aa85019' + '2e',
  'hex',
);

/**
 * Opcodes that can start a pickle: everything that pushes without needing
 * something on the stack first. Python's unpickler does not require a PROTO
 * header, so protocol 2-5 opcodes count too.
 */
const PICKLE_STARTS = new Set<number>([
  OP.MARK,
  OP.EMPTY_LIST,
  OP.EMPTY_DICT,
  OP.EMPTY_TUPLE,
  OP.EMPTY_SET,
  OP.GLOBAL,
  OP.NONE,
  OP.NEWTRUE,
  OP.NEWFALSE,
  OP.INT,
  OP.LONG,
  OP.LONG1,
  OP.LONG4,
  OP.FLOAT,
  OP.BINFLOAT,
  OP.STRING,
  OP.UNICODE,
  OP.BININT,
  OP.BININT1,
  OP.BININT2,
  OP.BINUNICODE,
  OP.SHORT_BINUNICODE,
  OP.BINUNICODE8,
  OP.BINSTRING,
  OP.SHORT_BINSTRING,
  OP.BINBYTES,
  OP.SHORT_BINBYTES,
  OP.BINBYTES8,
  OP.BYTEARRAY8,
  OP.NEXT_BUFFER,
  OP.PERSID,
  OP.EXT1,
  OP.EXT2,
  OP.EXT4,
  OP.FRAME,
]);

/** A dotted Python identifier, as `find_class` needs for module and name. */
const PYTHON_DOTTED_NAME =
  /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** Valid opcodes a header-less stream must show before it counts as a pickle. */
const SNIFF_MIN_OPCODES = 8;

/** Whether these leading bytes can start a pickle (cheap pre-check). */
export function looksLikePickleStart(head: Buffer): boolean {
  if (head.length < 2) return false;
  if (head[0] === OP.PROTO) return head[1] <= HIGHEST_PROTOCOL;
  return PICKLE_STARTS.has(head[0]);
}

class Truncated extends Error {}

const EXT_WIDTH: Record<number, number> = {
  [OP.EXT1]: 1,
  [OP.EXT2]: 2,
  [OP.EXT4]: 4,
};

const UNRESOLVED = '<unresolved>';
const EXTENSION = '<copyreg extension>';

function malformed(msg: string, offset: number, location: string): never {
  throw new MalformedError(
    'pickle/malformed',
    msg,
    `${location}@offset ${offset}`,
  );
}

/** Interprets a protocol-0 `STRING` argument (a quoted Python repr). */
function unquote(line: string): string | undefined {
  if (line.length < 2) return undefined;
  const q = line[0];
  if ((q !== "'" && q !== '"') || line[line.length - 1] !== q) return undefined;
  return line
    .slice(1, -1)
    .replace(/\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|.)/g, (_, e: string) => {
      if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
      if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8));
      return (
        (
          {
            n: '\n',
            t: '\t',
            r: '\r',
            '\\': '\\',
            "'": "'",
            '"': '"',
          } as Record<string, string>
        )[e] ?? `\\${e}`
      );
    });
}

/** Interprets a protocol-0 `UNICODE` argument (raw-unicode-escape). */
function rawUnicodeUnescape(line: string): string {
  return line.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_, a, b) =>
    String.fromCodePoint(parseInt(a ?? b, 16)),
  );
}

// What Python's int(x, 0) / int(x) / float(x) accept for the text opcodes.
const INT_RE =
  /^\s*[+-]?(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|[0-9][0-9_]*)\s*$/;
const LONG_RE =
  /^\s*[+-]?(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|[0-9][0-9_]*)L?\s*$/;
const DEC_RE = /^\s*[+-]?[0-9][0-9_]*\s*$/;
const FLOAT_RE =
  /^\s*[+-]?(?:(?:[0-9][0-9_]*\.?[0-9_]*|\.[0-9][0-9_]*)(?:[eE][+-]?[0-9_]+)?|inf|infinity|nan)\s*$/i;

/** Result of parsing one pickle out of a stream. */
interface OneResult {
  ok: boolean;
  error?: MalformedError;
  opcodes: number;
  sawProto: boolean;
}

/**
 * Statically walks every opcode of a pickle stream (several concatenated
 * pickles included), simulating the stack and memo just enough to resolve
 * the targets of GLOBAL, STACK_GLOBAL, INST, OBJ, NEWOBJ and REDUCE.
 * Nothing is ever unpickled. Findings go to `report`.
 */
export async function scanPickleStream(
  cur: Cursor,
  report: ScanReport,
  location: string,
  limits: PickleLimits = DEFAULT_PICKLE_LIMITS,
): Promise<void> {
  const imports = new Map<string, ImportRecord>();
  let legacyTorch = false;
  await cur.fill(TORCH_LEGACY_MAGIC.length);
  if (
    cur.avail >= TORCH_LEGACY_MAGIC.length &&
    cur.buf
      .subarray(cur.pos, cur.pos + TORCH_LEGACY_MAGIC.length)
      .equals(TORCH_LEGACY_MAGIC)
  ) {
    legacyTorch = true;
  }
  try {
    for (let index = 0; ; index++) {
      if (await cur.atEnd()) {
        if (index === 0)
          report.fail('pickle/empty', 'the pickle stream is empty', location);
        return;
      }
      if (legacyTorch && index === 5) {
        // magic, protocol, sys_info, object, storage keys; raw storages follow.
        await cur.drain();
        return;
      }
      if (index >= limits.maxPickles) {
        report.fail(
          'pickle/limit-exceeded',
          `more than ${limits.maxPickles} concatenated pickles; stopped`,
          `${location}@offset ${cur.offset}`,
        );
        return;
      }
      const start = cur.offset;
      await cur.fill(2);
      const head = cur.buf.subarray(cur.pos, cur.pos + 2);
      if (index > 0 && !looksLikePickleStart(head)) {
        const rest = await cur.drain();
        report.add(
          'low',
          'pickle/trailing-data',
          `${rest} bytes after the last pickle are not a pickle and were not scanned (pickle.load ignores them)`,
          `${location}@offset ${start}`,
        );
        return;
      }
      const r = await parseOne(cur, imports, location, limits);
      if (!r.ok) {
        const err = r.error!;
        if (index > 0 && !r.sawProto && r.opcodes < 2) {
          const rest = await cur.drain();
          report.add(
            'low',
            'pickle/trailing-data',
            `${
              rest + (cur.offset - start)
            } bytes after the last pickle are not a pickle and were not scanned`,
            `${location}@offset ${start}`,
          );
          return;
        }
        report.fail(err.rule, err.message, err.location);
        return;
      }
    }
  } finally {
    for (const rec of imports.values()) {
      const what = `${rec.module}.${rec.name}`;
      if (rec.module === UNRESOLVED) {
        report.add(
          'high',
          'pickle/unresolved-global',
          `STACK_GLOBAL operands are not plain strings, so the imported global cannot be verified${
            rec.count > 1 ? ` (${rec.count} times)` : ''
          }`,
          `${location}@offset ${rec.offset}`,
        );
        continue;
      }
      if (rec.module === EXTENSION) {
        report.add(
          'medium',
          'pickle/extension-code',
          `imports a global through the copyreg extension registry (${rec.via} ${rec.name}); it cannot be verified statically`,
          `${location}@offset ${rec.offset}`,
        );
        continue;
      }
      const c = classifyGlobal(rec.module, rec.name);
      if (!c.severity) continue;
      report.add(
        c.severity,
        c.rule!,
        `imports ${what} via ${rec.via}${rec.called ? ' and calls it' : ''}${
          rec.count > 1 ? ` (${rec.count} times)` : ''
        }: ${c.reason}`,
        `${location}@offset ${rec.offset}`,
      );
    }
  }
}

/**
 * Trial-parses the start of a stream to decide whether it is a pickle:
 * a PROTO header, or at least two valid protocol 0/1 opcodes, or a
 * dangerous import in the first few opcodes.
 */
export async function sniffPickle(
  cur: Cursor,
  location: string,
): Promise<boolean> {
  await cur.fill(2);
  const head = cur.buf.subarray(cur.pos, cur.pos + 2);
  if (!looksLikePickleStart(head)) return false;
  if (head[0] === OP.PROTO) return true;
  // Parse a copy of the buffered prefix only; the cursor is not consumed.
  await cur.fill(64 * 1024);
  const prefix = Buffer.from(cur.buf.subarray(cur.pos, cur.pos + 64 * 1024));
  const probe = new Cursor(
    (async function* gen() {
      yield prefix;
    })(),
  );
  const imports = new Map<string, ImportRecord>();
  const r = await parseOne(probe, imports, location, DEFAULT_PICKLE_LIMITS);
  // A complete pickle, a long run of valid opcodes, or an import whose
  // module and name are Python identifiers (text such as a CSV header that
  // starts with `c` parses as a GLOBAL of garbage names, which Python could
  // never import, so it proves nothing).
  const importsPython = [...imports.values()].some(
    i => PYTHON_DOTTED_NAME.test(i.module) && PYTHON_DOTTED_NAME.test(i.name),
  );
  return r.ok || r.opcodes >= SNIFF_MIN_OPCODES || importsPython;
}

async function parseOne(
  cur: Cursor,
  imports: Map<string, ImportRecord>,
  location: string,
  limits: PickleLimits,
): Promise<OneResult> {
  const stack: Val[] = [];
  const marks: number[] = [];
  const memo = new Map<number, Val>();
  let opcodes = 0;
  let sawProto = false;
  let opOffset = cur.offset;
  let lastOp = 0;

  const need = async (n: number) => {
    if (cur.avail < n && !(await cur.fill(n))) throw new Truncated();
  };
  const readLine = async (): Promise<string> => {
    let searchFrom = cur.pos;
    for (;;) {
      const nl = cur.buf.indexOf(0x0a, searchFrom);
      if (nl >= 0) {
        const s = cur.buf.toString('latin1', cur.pos, nl);
        cur.pos = nl + 1;
        return s;
      }
      const have = cur.avail;
      if (have > limits.maxLine) {
        throw new MalformedError(
          'pickle/limit-exceeded',
          `a text argument is longer than ${limits.maxLine} bytes`,
          `${location}@offset ${opOffset}`,
        );
      }
      const rel = searchFrom - cur.pos;
      if (!(await cur.fill(Math.max(have * 2, 64 * 1024)))) {
        if (cur.buf.indexOf(0x0a, cur.pos + rel) < 0) throw new Truncated();
      }
      searchFrom = cur.pos + rel;
    }
  };
  const utf8Line = async () => {
    const l = await readLine();
    return Buffer.from(l, 'latin1').toString('utf8');
  };
  const pop = (): Val => {
    const mark = marks.length ? marks[marks.length - 1] : 0;
    if (stack.length <= mark)
      malformed(
        `stack underflow at ${OPCODE_NAMES.get(lastOp)}`,
        opOffset,
        location,
      );
    return stack.pop()!;
  };
  const popMark = (): Val[] => {
    if (!marks.length)
      malformed(
        `${OPCODE_NAMES.get(lastOp)} without a MARK`,
        opOffset,
        location,
      );
    const m = marks.pop()!;
    return stack.splice(m);
  };
  const push = (v: Val) => {
    if (stack.length >= limits.maxStack) {
      throw new MalformedError(
        'pickle/limit-exceeded',
        `stack deeper than ${limits.maxStack} entries`,
        `${location}@offset ${opOffset}`,
      );
    }
    stack.push(v);
  };
  const memoPut = (idx: number) => {
    if (
      !stack.length ||
      stack.length <= (marks.length ? marks[marks.length - 1] : 0)
    ) {
      malformed('memo store from an empty stack', opOffset, location);
    }
    if (!memo.has(idx) && memo.size >= limits.maxMemo) {
      throw new MalformedError(
        'pickle/limit-exceeded',
        `memo larger than ${limits.maxMemo} entries`,
        `${location}@offset ${opOffset}`,
      );
    }
    memo.set(idx, stack[stack.length - 1]);
  };
  const memoGet = (idx: number) => {
    const v = memo.get(idx);
    if (!v) malformed(`memo key ${idx} was never stored`, opOffset, location);
    push(v);
  };
  const recordImport = (module: string, name: string, via: string): Glob => {
    const key = `${module}\u0000${name}`;
    const rec = imports.get(key);
    if (rec) rec.count++;
    else {
      imports.set(key, {
        module,
        name,
        via,
        offset: opOffset,
        called: false,
        count: 1,
      });
    }
    return { t: 'g', module, name, key };
  };
  const markCalled = (v: Val | undefined) => {
    if (v && v.t === 'g') {
      const rec = imports.get(v.key);
      if (rec) rec.called = true;
    }
  };
  const readLen = async (bytes: 1 | 4 | 8, signed = false): Promise<number> => {
    await need(bytes);
    const b = cur.buf;
    const p = cur.pos;
    cur.pos += bytes;
    if (bytes === 1) return b[p];
    if (bytes === 4) {
      const n = signed ? b.readInt32LE(p) : b.readUInt32LE(p);
      if (n < 0) malformed('negative length', opOffset, location);
      return n;
    }
    const lo = b.readUInt32LE(p);
    const hi = b.readUInt32LE(p + 4);
    if (hi >= 0x200000) malformed('length beyond 2^53', opOffset, location);
    return hi * 0x100000000 + lo;
  };
  const readPayload = async (
    n: number,
    keepAs?: 'latin1' | 'utf8',
  ): Promise<Val> => {
    if (keepAs && n <= MAX_KEPT_STRING) {
      await need(n);
      const v = cur.buf.toString(keepAs, cur.pos, cur.pos + n);
      cur.pos += n;
      return { t: 's', v };
    }
    if (!(await cur.skip(n))) throw new Truncated();
    return OTHER;
  };

  try {
    for (;;) {
      if (cur.avail < 1 && !(await cur.fill(1))) {
        if (opcodes === 0) throw new Truncated();
        throw new MalformedError(
          'pickle/no-stop',
          'the pickle ends without a STOP opcode',
          `${location}@offset ${cur.offset}`,
        );
      }
      opOffset = cur.offset;
      const op = cur.buf[cur.pos++];
      lastOp = op;
      if (++opcodes > limits.maxOpcodes) {
        throw new MalformedError(
          'pickle/limit-exceeded',
          `more than ${limits.maxOpcodes} opcodes; stopped`,
          `${location}@offset ${opOffset}`,
        );
      }
      switch (op) {
        case OP.MARK:
          marks.push(stack.length);
          break;
        case OP.STOP:
          pop();
          return { ok: true, opcodes, sawProto };
        case OP.POP:
          if (
            stack.length === (marks.length ? marks[marks.length - 1] : 0) &&
            marks.length
          ) {
            popMark();
          } else pop();
          break;
        case OP.POP_MARK:
          popMark();
          break;
        case OP.DUP: {
          const v = pop();
          push(v);
          push(v);
          break;
        }
        case OP.FLOAT:
          if (!FLOAT_RE.test(await readLine()))
            malformed('bad FLOAT literal', opOffset, location);
          push(OTHER);
          break;
        case OP.INT:
          if (!INT_RE.test(await readLine()))
            malformed('bad INT literal', opOffset, location);
          push(OTHER);
          break;
        case OP.LONG:
          if (!LONG_RE.test(await readLine()))
            malformed('bad LONG literal', opOffset, location);
          push(OTHER);
          break;
        case OP.BININT:
          await need(4);
          cur.pos += 4;
          push(OTHER);
          break;
        case OP.BININT1:
          await need(1);
          cur.pos += 1;
          push(OTHER);
          break;
        case OP.BININT2:
          await need(2);
          cur.pos += 2;
          push(OTHER);
          break;
        case OP.BINFLOAT:
          await need(8);
          cur.pos += 8;
          push(OTHER);
          break;
        case OP.NONE:
        case OP.NEWTRUE:
        case OP.NEWFALSE:
        case OP.EMPTY_LIST:
        case OP.EMPTY_DICT:
        case OP.EMPTY_TUPLE:
        case OP.EMPTY_SET:
        case OP.NEXT_BUFFER:
          push(OTHER);
          break;
        case OP.LONG1:
          await readPayload(await readLen(1));
          push(OTHER);
          break;
        case OP.LONG4:
          await readPayload(await readLen(4, true));
          push(OTHER);
          break;
        case OP.PERSID:
          await readLine();
          push(OTHER);
          break;
        case OP.BINPERSID:
          pop();
          push(OTHER);
          break;
        case OP.REDUCE: {
          pop();
          markCalled(pop());
          push(OTHER);
          break;
        }
        case OP.STRING: {
          const s = unquote(await readLine());
          if (s === undefined)
            malformed('STRING argument is not quoted', opOffset, location);
          push(s.length <= MAX_KEPT_STRING ? { t: 's', v: s } : OTHER);
          break;
        }
        case OP.BINSTRING:
          push(await readPayload(await readLen(4, true), 'latin1'));
          break;
        case OP.SHORT_BINSTRING:
          push(await readPayload(await readLen(1), 'latin1'));
          break;
        case OP.UNICODE: {
          const s = rawUnicodeUnescape(await utf8Line());
          push(s.length <= MAX_KEPT_STRING ? { t: 's', v: s } : OTHER);
          break;
        }
        case OP.BINUNICODE:
          push(await readPayload(await readLen(4), 'utf8'));
          break;
        case OP.SHORT_BINUNICODE:
          push(await readPayload(await readLen(1), 'utf8'));
          break;
        case OP.BINUNICODE8:
          push(await readPayload(await readLen(8), 'utf8'));
          break;
        case OP.BINBYTES:
          await readPayload(await readLen(4));
          push(OTHER);
          break;
        case OP.SHORT_BINBYTES:
          await readPayload(await readLen(1));
          push(OTHER);
          break;
        case OP.BINBYTES8:
        case OP.BYTEARRAY8:
          await readPayload(await readLen(8));
          push(OTHER);
          break;
        case OP.APPEND:
          pop();
          pop();
          push(OTHER);
          break;
        case OP.APPENDS:
        case OP.SETITEMS:
        case OP.ADDITEMS:
          popMark();
          pop();
          push(OTHER);
          break;
        case OP.BUILD:
          pop();
          pop();
          push(OTHER);
          break;
        case OP.GLOBAL: {
          const module = await utf8Line();
          const name = await utf8Line();
          push(recordImport(module, name, 'GLOBAL'));
          break;
        }
        case OP.STACK_GLOBAL: {
          const name = pop();
          const module = pop();
          if (module.t === 's' && name.t === 's') {
            push(recordImport(module.v, name.v, 'STACK_GLOBAL'));
          } else {
            const rec = recordImport(
              UNRESOLVED,
              `<offset ${opOffset}>`,
              'STACK_GLOBAL',
            );
            push(rec);
          }
          break;
        }
        case OP.INST: {
          const module = await utf8Line();
          const name = await utf8Line();
          popMark();
          const g = recordImport(module, name, 'INST');
          markCalled(g);
          push(OTHER);
          break;
        }
        case OP.OBJ: {
          const items = popMark();
          if (!items.length)
            malformed('OBJ without a class', opOffset, location);
          markCalled(items[0]);
          push(OTHER);
          break;
        }
        case OP.NEWOBJ:
          pop();
          markCalled(pop());
          push(OTHER);
          break;
        case OP.NEWOBJ_EX:
          pop();
          pop();
          markCalled(pop());
          push(OTHER);
          break;
        case OP.DICT:
        case OP.LIST:
        case OP.TUPLE:
        case OP.FROZENSET:
          popMark();
          push(OTHER);
          break;
        case OP.TUPLE1:
          pop();
          push(OTHER);
          break;
        case OP.TUPLE2:
          pop();
          pop();
          push(OTHER);
          break;
        case OP.TUPLE3:
          pop();
          pop();
          pop();
          push(OTHER);
          break;
        case OP.SETITEM:
          pop();
          pop();
          pop();
          push(OTHER);
          break;
        case OP.GET: {
          const l = await readLine();
          if (!DEC_RE.test(l)) malformed('bad GET index', opOffset, location);
          memoGet(parseInt(l.replace(/_/g, ''), 10));
          break;
        }
        case OP.BINGET:
          memoGet(await readLen(1));
          break;
        case OP.LONG_BINGET:
          memoGet(await readLen(4));
          break;
        case OP.PUT: {
          const l = await readLine();
          if (!DEC_RE.test(l)) malformed('bad PUT index', opOffset, location);
          memoPut(parseInt(l.replace(/_/g, ''), 10));
          break;
        }
        case OP.BINPUT:
          memoPut(await readLen(1));
          break;
        case OP.LONG_BINPUT:
          memoPut(await readLen(4));
          break;
        case OP.MEMOIZE:
          memoPut(memo.size);
          break;
        case OP.PROTO: {
          const p = await readLen(1);
          if (p > HIGHEST_PROTOCOL) {
            throw new MalformedError(
              'pickle/unsupported-protocol',
              `pickle protocol ${p} is newer than ${HIGHEST_PROTOCOL}`,
              `${location}@offset ${opOffset}`,
            );
          }
          sawProto = true;
          break;
        }
        case OP.FRAME:
          await readLen(8);
          break;
        case OP.EXT1:
        case OP.EXT2:
        case OP.EXT4: {
          const n = EXT_WIDTH[op];
          await need(n);
          let code: number;
          if (n === 1) code = cur.buf[cur.pos];
          else if (n === 2) code = cur.buf.readUInt16LE(cur.pos);
          else code = cur.buf.readInt32LE(cur.pos);
          cur.pos += n;
          push(recordImport(EXTENSION, `code ${code}`, OPCODE_NAMES.get(op)!));
          break;
        }
        case OP.READONLY_BUFFER:
          pop();
          push(OTHER);
          break;
        default:
          throw new MalformedError(
            'pickle/unknown-opcode',
            `byte 0x${op.toString(16).padStart(2, '0')} is not a pickle opcode`,
            `${location}@offset ${opOffset}`,
          );
      }
    }
  } catch (e) {
    if (e instanceof Truncated) {
      return {
        ok: false,
        opcodes,
        sawProto,
        error: new MalformedError(
          'pickle/truncated',
          `the pickle is truncated inside ${
            OPCODE_NAMES.get(lastOp) ?? 'the stream'
          }`,
          `${location}@offset ${opOffset}`,
        ),
      };
    }
    if (e instanceof MalformedError)
      return { ok: false, opcodes, sawProto, error: e };
    throw e;
  }
}
