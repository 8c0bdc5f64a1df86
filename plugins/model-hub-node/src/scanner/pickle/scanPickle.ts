import { Cursor } from '../source';
import { MalformedError, ScanReport } from '../report';
import { HIGHEST_PROTOCOL, OP, OPCODE_NAMES } from './opcodes';
import { TrustedGlobals } from './globals';
import {
  arrayLayout,
  dtypeFromArgs,
  isJoblibWrapperClass,
  isNumpyDtype,
} from './joblib';
import { BoundedMemo } from './memo';
import {
  DEC_RE,
  FLOAT_RE,
  INT_RE,
  LONG_RE,
  rawUnicodeUnescape,
  unquote,
} from './text';
import {
  EXTENSION,
  Dict,
  Glob,
  Int,
  NONE_VAL,
  OTHER,
  PLAIN_TUPLE,
  PickleUsage,
  Tup,
  UNRESOLVED,
  Val,
  Wrapper,
} from './usage';

/** Work limits for one pickle stream. */
export interface PickleLimits {
  maxOpcodes: number;
  maxMemo: number;
  maxStack: number;
  maxLine: number;
  maxPickles: number;
}

/**
 * Defaults. Work is linear in the bytes read and the memo costs one bit per
 * entry, so opcode and memo counts are not what bounds a scan; the stack
 * and text lines are held in memory and are bounded.
 */
export const DEFAULT_PICKLE_LIMITS: PickleLimits = {
  maxOpcodes: 2 ** 40,
  maxMemo: 2 ** 31,
  maxStack: 5_000_000,
  maxLine: 64 * 1024 * 1024,
  maxPickles: 10_000,
};

/** Options of {@link scanPickleStream}. */
export interface PickleScanOptions {
  limits?: PickleLimits;
  /**
   * The stream is only a candidate (its first byte is a pickle opcode):
   * when the first pickle fails to parse before showing any sign of being
   * a pickle, report nothing and return false.
   */
  sniff?: boolean;
  /** Extra trusted globals (`module.qualname` or `module.*`). */
  trustedGlobals?: readonly string[];
  /**
   * Read the stream as `joblib.load` does: after the BUILD of a joblib
   * `NumpyArrayWrapper`, the array's raw bytes (or, for object arrays, a
   * nested pickle) follow inline. Off for pickles that only `pickle.load`
   * or `torch.load` read (torch zip members, numpy object arrays).
   */
  joblib?: boolean;
}

/** Longest string kept for resolving module/name operands. */
const MAX_KEPT_STRING = 4096;
/** Bytes that can appear in an importable dotted name (ASCII identifiers). */
const IDENT_BYTE = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.')
  IDENT_BYTE[c.charCodeAt(0)] = 1;

/** Bytes kept buffered ahead so fixed-width arguments never wait. */
const LOOKAHEAD = 16;

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

/**
 * A failed first parse still proves a pickle after this many valid opcodes
 * (text that merely starts with an opcode letter fails within one or two).
 */
const EVIDENCE_OPCODES = 8;

/** Whether these leading bytes can start a pickle (cheap pre-check). */
export function looksLikePickleStart(head: Buffer): boolean {
  if (head.length < 2) return false;
  if (head[0] === OP.PROTO) return head[1] <= HIGHEST_PROTOCOL;
  return PICKLE_STARTS.has(head[0]);
}

class Truncated extends Error {}

function malformed(msg: string, offset: number, location: string): never {
  throw new MalformedError(
    'pickle/malformed',
    msg,
    `${location}@offset ${offset}`,
  );
}

/** Result of parsing one pickle out of a stream. */
interface OneResult {
  ok: boolean;
  error?: MalformedError;
  opcodes: number;
  sawProto: boolean;
}

const trustCache = new WeakMap<readonly string[], TrustedGlobals>();
function trustOf(patterns: readonly string[]): TrustedGlobals {
  let t = trustCache.get(patterns);
  if (!t) {
    t = new TrustedGlobals(patterns);
    trustCache.set(patterns, t);
  }
  return t;
}

/**
 * Statically walks every opcode of a pickle stream to its end (several
 * concatenated pickles included), simulating stack and memo just enough to
 * know which global feeds which opcode. Nothing is ever unpickled. Memory
 * stays bounded: payloads are skipped by streaming, the memo is a bitset.
 * Findings go to `report`. Returns whether the stream was a pickle (always
 * true unless `options.sniff` is set).
 */
export async function scanPickleStream(
  cur: Cursor,
  report: ScanReport,
  location: string,
  options: PickleScanOptions = {},
): Promise<boolean> {
  const limits = options.limits ?? DEFAULT_PICKLE_LIMITS;
  const usage = new PickleUsage(
    trustOf(options.trustedGlobals ?? report.trustedGlobals ?? []),
  );
  let legacyTorch = false;
  try {
    await cur.fill(TORCH_LEGACY_MAGIC.length);
  } catch (e) {
    // A wrapper (inflate) that fails on its first bytes holds no pickle.
    if (options.sniff && e instanceof MalformedError) return false;
    throw e;
  }
  if (
    cur.avail >= TORCH_LEGACY_MAGIC.length &&
    cur.buf
      .subarray(cur.pos, cur.pos + TORCH_LEGACY_MAGIC.length)
      .equals(TORCH_LEGACY_MAGIC)
  ) {
    legacyTorch = true;
  }
  if (
    options.sniff &&
    !looksLikePickleStart(cur.buf.subarray(cur.pos, cur.pos + 2))
  ) {
    return false;
  }
  let isPickle = true;
  try {
    for (let index = 0; ; index++) {
      if (await cur.atEnd()) {
        if (index === 0)
          report.fail('pickle/empty', 'the pickle stream is empty', location);
        return true;
      }
      if (legacyTorch && index === 5) {
        // magic, protocol, sys_info, object, storage keys; raw storages follow.
        await cur.drain();
        return true;
      }
      if (index >= limits.maxPickles) {
        report.fail(
          'pickle/limit-exceeded',
          `more than ${limits.maxPickles} concatenated pickles; stopped`,
          `${location}@offset ${cur.offset}`,
        );
        return true;
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
        return true;
      }
      const r = await parseOne(
        cur,
        usage,
        location,
        limits,
        options.joblib ?? false,
      );
      if (r.ok) continue;
      if (
        index === 0 &&
        options.sniff &&
        !r.sawProto &&
        r.opcodes < EVIDENCE_OPCODES &&
        !usage.sawStrongImport()
      ) {
        isPickle = false;
        return false;
      }
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
        return true;
      }
      report.fail(err.rule, err.message, err.location);
      return true;
    }
  } finally {
    if (isPickle) usage.report(report, location);
  }
}

/** Tuples longer than this never keep their items. */
const MAX_TUPLE_ITEMS = 16;
/** The empty tuple (its items are known: there are none). */
const EMPTY_TUPLE: Tup = { t: 't', globs: [], items: [] };
/** Small ints, shared (BININT1 pushes are frequent). */
const SMALL_INTS: Int[] = Array.from({ length: 256 }, (_, v) => ({
  t: 'i',
  v,
}));
const intVal = (v: number): Int =>
  v >= 0 && v < 256 ? SMALL_INTS[v] : { t: 'i', v };

/**
 * A tuple value. Its items are kept when it is short and either holds a
 * tracked value or `all` is set (joblib streams, where an array shape of
 * untracked numbers must not pass for the empty tuple).
 */
/** Pickler helpers that create `cls.__new__(cls)` from their first argument. */
const NEW_INSTANCE_HELPERS = new Set([
  'copyreg._reconstructor',
  'copyreg.__newobj__',
  'copyreg.__newobj_ex__',
]);

function canonicalOf(g: Glob): string {
  return g.rec.judgement.resolved.canonical;
}

function tupleOf(items: Val[], all = false): Tup {
  let globs: Array<[number, Glob]> | undefined;
  let tracked = all;
  for (let i = 0; i < items.length; i++) {
    const v = items[i];
    if (v.t === 'g') (globs ??= []).push([i, v]);
    else if (v.t !== 'o') tracked = true;
  }
  if (items.length === 0) return EMPTY_TUPLE;
  const keep = tracked && items.length <= MAX_TUPLE_ITEMS;
  if (!globs && !keep) return PLAIN_TUPLE;
  return keep
    ? { t: 't', globs: globs ?? [], items }
    : { t: 't', globs: globs ?? [] };
}

/**
 * What the memo keeps of a value: outside joblib streams, ints, None and
 * tuple items are dropped so that a pickle of millions of small tuples
 * costs no more memory than before they were tracked.
 */
function memoValue(v: Val, joblib: boolean): Val {
  if (joblib) return v;
  if (v.t === 'i' || v.t === 'n' || v.t === 'd') return OTHER;
  if (v.t === 't' && v.items)
    return v.globs.length ? { t: 't', globs: v.globs } : PLAIN_TUPLE;
  return v;
}

async function parseOne(
  cur: Cursor,
  usage: PickleUsage,
  location: string,
  limits: PickleLimits,
  joblibArrays: boolean,
): Promise<OneResult> {
  const stack: Val[] = [];
  const marks: number[] = [];
  const memo = new BoundedMemo<Val>(limits.maxMemo, PLAIN_TUPLE);
  let floor = 0; // stack index of the innermost MARK
  let opcodes = 0;
  let sawProto = false;
  let opOffset = cur.offset;
  let lastOp = 0;
  /** End offset of the current FRAME (joblib array reads bypass frames). */
  let frameEnd = -1;

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
    if (stack.length <= floor)
      malformed(
        `stack underflow at ${OPCODE_NAMES.get(lastOp)}`,
        opOffset,
        location,
      );
    return stack.pop()!;
  };
  const top = (): Val => {
    if (stack.length <= floor)
      malformed(
        `stack underflow at ${OPCODE_NAMES.get(lastOp)}`,
        opOffset,
        location,
      );
    return stack[stack.length - 1];
  };
  const popMark = (): Val[] => {
    if (!marks.length)
      malformed(
        `${OPCODE_NAMES.get(lastOp)} without a MARK`,
        opOffset,
        location,
      );
    const m = marks.pop()!;
    floor = marks.length ? marks[marks.length - 1] : 0;
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
  const where = () => `${location}@offset ${opOffset}`;
  const memoPut = (idx: number) => {
    if (stack.length <= floor)
      malformed('memo store from an empty stack', opOffset, location);
    const v = memoValue(stack[stack.length - 1], usage.joblib);
    memo.set(idx, v === OTHER ? undefined : v, where);
  };
  const memoGet = (idx: number) => {
    const v = memo.get(idx);
    if (v === undefined)
      malformed(`memo key ${idx} was never stored`, opOffset, location);
    push(v === null ? OTHER : v);
  };
  /** Sets a dict literal's items (key, value, key, value...). */
  const setItems = (d: Dict, items: Val[]) => {
    if (items.length % 2) d.opaque = true;
    for (let i = 0; i + 1 < items.length; i += 2) {
      const k = items[i];
      if (k.t === 's') d.m.set(k.v, items[i + 1]);
      else d.opaque = true;
    }
  };
  /** A new joblib array wrapper when `cls` is its class, else untracked. */
  const newInstance = (cls: Val): Val =>
    cls.t === 'g' && isJoblibWrapperClass(cls.rec.judgement.resolved)
      ? { t: 'w', attrs: new Map() }
      : OTHER;
  /** What REDUCE pushes: a dtype or wrapper when tracked, else untracked. */
  const reduceResult = (callable: Val, args: Val): Val => {
    if (callable.t !== 'g' || !usage.joblib) {
      if (callable.t === 'g' && isNumpyDtype(canonicalOf(callable)))
        return dtypeFromArgs(args) ?? OTHER;
      return OTHER;
    }
    const name = canonicalOf(callable);
    if (isNumpyDtype(name)) return dtypeFromArgs(args) ?? OTHER;
    if (NEW_INSTANCE_HELPERS.has(name) && args.t === 't') {
      // copyreg.__newobj__(cls) and _reconstructor(cls, object, None) are
      // cls.__new__(cls), as NEWOBJ.
      const first = args.globs.find(([i]) => i === 0);
      if (first) return newInstance(first[1]);
    }
    return OTHER;
  };
  /** Fixed-width arguments: LOOKAHEAD bytes are buffered unless at the end. */
  const need = (n: number) => {
    if (cur.buf.length - cur.pos < n) throw new Truncated();
  };
  const u32 = (): number => {
    need(4);
    const n = cur.buf.readUInt32LE(cur.pos);
    cur.pos += 4;
    return n;
  };
  const i32len = (): number => {
    need(4);
    const n = cur.buf.readInt32LE(cur.pos);
    cur.pos += 4;
    if (n < 0) malformed('negative length', opOffset, location);
    return n;
  };
  const u64 = (): number => {
    need(8);
    const lo = cur.buf.readUInt32LE(cur.pos);
    const hi = cur.buf.readUInt32LE(cur.pos + 4);
    cur.pos += 8;
    if (hi >= 0x200000) malformed('length beyond 2^53', opOffset, location);
    return hi * 0x100000000 + lo;
  };
  const u8 = (): number => {
    need(1);
    return cur.buf[cur.pos++];
  };
  /**
   * A string operand already buffered: kept when it could name a Python
   * module or attribute (ASCII identifier characters and dots), else
   * `OTHER`, because find_class could not import it. Undefined when the
   * bytes are not buffered yet (see `payload`).
   */
  const bufferedString = (n: number): Val | undefined => {
    const buf = cur.buf;
    const start = cur.pos;
    if (buf.length - start < n) return undefined;
    cur.pos = start + n;
    if (n > MAX_KEPT_STRING || n === 0) return OTHER;
    for (let i = start, end = start + n; i < end; i++) {
      const c = buf[i];
      if (!IDENT_BYTE[c]) return OTHER;
    }
    return { t: 's', v: buf.toString('latin1', start, start + n) };
  };
  /** A payload: a string operand when `keep`, else skipped by streaming. */
  const payload = async (n: number, keep = false): Promise<Val> => {
    if (keep && n <= MAX_KEPT_STRING) {
      if (cur.buf.length - cur.pos < n && !(await cur.fill(n)))
        throw new Truncated();
      return bufferedString(n)!;
    }
    if (cur.buf.length - cur.pos >= n) {
      cur.pos += n;
    } else if (!(await cur.skip(n))) throw new Truncated();
    return OTHER;
  };
  const joblibError = (msg: string): never => {
    throw new MalformedError(
      'pickle/joblib-array',
      `${msg}; joblib.load would read array bytes the scanner cannot locate`,
      `${location}@offset ${opOffset}`,
    );
  };
  /**
   * joblib's unpickler on the BUILD of a wrapper: applies the state, then
   * reads the array inline (padding byte and padding, then the raw bytes;
   * or a nested pickle for object arrays, scanned like any pickle).
   */
  const readJoblibArray = async (w: Wrapper, state: Val) => {
    if (state.t !== 'd' || state.opaque)
      joblibError('a joblib NumpyArrayWrapper state is not a readable dict');
    for (const [k, v] of (state as Dict).m) w.attrs.set(k, v);
    const layout = arrayLayout(w);
    if (typeof layout === 'string')
      return joblibError(`cannot size a joblib array: ${layout}`);
    if (frameEnd > cur.offset) {
      joblibError(
        `a joblib array is read while ${
          frameEnd - cur.offset
        } bytes of the pickle frame are still unread (joblib ends the frame first)`,
      );
    }
    if (layout.object) {
      const inner = await parseOne(cur, usage, location, limits, false);
      if (!inner.ok) throw inner.error ?? new Truncated();
      return undefined;
    }
    if (layout.padded) {
      if (cur.buf.length - cur.pos < 1 && !(await cur.fill(1)))
        throw new Truncated();
      await payload(cur.buf[cur.pos++]);
    }
    await payload(layout.bytes);
    return undefined;
  };
  try {
    for (;;) {
      if (
        cur.buf.length - cur.pos < LOOKAHEAD &&
        !(await cur.fill(LOOKAHEAD))
      ) {
        if (cur.avail < 1) {
          if (opcodes === 0) throw new Truncated();
          throw new MalformedError(
            'pickle/no-stop',
            'the pickle ends without a STOP opcode',
            `${location}@offset ${cur.offset}`,
          );
        }
      }
      opOffset = cur.base + cur.pos;
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
          floor = stack.length;
          break;
        case OP.STOP:
          pop();
          return { ok: true, opcodes, sawProto };
        case OP.POP:
          if (marks.length && stack.length === floor) popMark();
          else pop();
          break;
        case OP.POP_MARK:
          popMark();
          break;
        case OP.DUP:
          push(top());
          break;
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
          need(4);
          push(intVal(cur.buf.readInt32LE(cur.pos)));
          cur.pos += 4;
          break;
        case OP.BININT1:
          need(1);
          push(SMALL_INTS[cur.buf[cur.pos++]]);
          break;
        case OP.BININT2:
          need(2);
          push(intVal(cur.buf.readUInt16LE(cur.pos)));
          cur.pos += 2;
          break;
        case OP.BINFLOAT:
          need(8);
          cur.pos += 8;
          push(OTHER);
          break;
        case OP.NONE:
          push(NONE_VAL);
          break;
        case OP.NEWTRUE:
        case OP.NEWFALSE:
        case OP.EMPTY_LIST:
        case OP.EMPTY_DICT:
          push(usage.joblib ? { t: 'd', m: new Map(), opaque: false } : OTHER);
          break;
        case OP.EMPTY_SET:
        case OP.NEXT_BUFFER:
          push(OTHER);
          break;
        case OP.EMPTY_TUPLE:
          push(EMPTY_TUPLE);
          break;
        case OP.LONG1:
          await payload(u8());
          push(OTHER);
          break;
        case OP.LONG4:
          await payload(i32len());
          push(OTHER);
          break;
        case OP.PERSID:
          await readLine();
          push(OTHER);
          break;
        case OP.BINPERSID:
          usage.call('BINPERSID', undefined, pop(), opOffset);
          push(OTHER);
          break;
        case OP.REDUCE: {
          const args = pop();
          const callable = pop();
          usage.call('REDUCE', callable, args, opOffset);
          push(reduceResult(callable, args));
          break;
        }
        case OP.STRING: {
          const s = unquote(await readLine());
          if (s === undefined)
            malformed('STRING argument is not quoted', opOffset, location);
          push(s.length <= MAX_KEPT_STRING ? { t: 's', v: s } : OTHER);
          break;
        }
        case OP.BINSTRING: {
          const n = i32len();
          const v = bufferedString(n);
          push(v === undefined ? await payload(n, true) : v);
          break;
        }
        case OP.SHORT_BINSTRING: {
          const n = u8();
          const v = bufferedString(n);
          push(v === undefined ? await payload(n, true) : v);
          break;
        }
        case OP.UNICODE: {
          const s = rawUnicodeUnescape(await utf8Line());
          push(s.length <= MAX_KEPT_STRING ? { t: 's', v: s } : OTHER);
          break;
        }
        case OP.BINUNICODE: {
          const n = u32();
          const v = bufferedString(n);
          push(v === undefined ? await payload(n, true) : v);
          break;
        }
        case OP.SHORT_BINUNICODE: {
          const n = u8();
          const v = bufferedString(n);
          push(v === undefined ? await payload(n, true) : v);
          break;
        }
        case OP.BINUNICODE8: {
          const n = u64();
          const v = bufferedString(n);
          push(v === undefined ? await payload(n, true) : v);
          break;
        }
        case OP.BINBYTES:
          await payload(u32());
          push(OTHER);
          break;
        case OP.SHORT_BINBYTES:
          await payload(u8());
          push(OTHER);
          break;
        case OP.BINBYTES8:
        case OP.BYTEARRAY8:
          await payload(u64());
          push(OTHER);
          break;
        case OP.APPEND:
          pop();
          usage.mutate('APPEND', top(), opOffset);
          break;
        case OP.APPENDS:
        case OP.ADDITEMS:
          popMark();
          usage.mutate(OPCODE_NAMES.get(op)!, top(), opOffset);
          break;
        case OP.SETITEMS: {
          const items = popMark();
          const target = top();
          if (target.t === 'd') setItems(target, items);
          usage.mutate('SETITEMS', target, opOffset);
          break;
        }
        case OP.SETITEM: {
          const value = pop();
          const key = pop();
          const target = top();
          if (target.t === 'd') setItems(target, [key, value]);
          usage.mutate('SETITEM', target, opOffset);
          break;
        }
        case OP.BUILD: {
          const state = pop();
          const target = top();
          usage.mutate('BUILD', target, opOffset);
          if (target.t === 'dt') target.state = state;
          else if (target.t === 'w' && joblibArrays) {
            stack[stack.length - 1] = OTHER; // joblib swaps in the array
            await readJoblibArray(target, state);
          }
          break;
        }
        case OP.GLOBAL: {
          const module = await utf8Line();
          const name = await utf8Line();
          push(usage.importGlobal(module, name, 'GLOBAL', opOffset));
          break;
        }
        case OP.STACK_GLOBAL: {
          const name = pop();
          const module = pop();
          if (module.t === 's' && name.t === 's') {
            push(
              usage.importGlobal(module.v, name.v, 'STACK_GLOBAL', opOffset),
            );
          } else {
            push(
              usage.importGlobal(
                UNRESOLVED,
                `<offset ${opOffset}>`,
                'STACK_GLOBAL',
                opOffset,
              ),
            );
          }
          break;
        }
        case OP.INST: {
          const module = await utf8Line();
          const name = await utf8Line();
          const items = popMark();
          const g = usage.importGlobal(module, name, 'INST', opOffset);
          usage.call('INST', g, tupleOf(items), opOffset);
          push(OTHER);
          break;
        }
        case OP.OBJ: {
          const items = popMark();
          if (!items.length)
            malformed('OBJ without a class', opOffset, location);
          usage.call('OBJ', items[0], tupleOf(items.slice(1)), opOffset);
          push(OTHER);
          break;
        }
        case OP.NEWOBJ: {
          const args = pop();
          const cls = pop();
          usage.call('NEWOBJ', cls, args, opOffset);
          push(newInstance(cls));
          break;
        }
        case OP.NEWOBJ_EX: {
          pop(); // kwargs
          const args = pop();
          const cls = pop();
          usage.call('NEWOBJ_EX', cls, args, opOffset);
          push(newInstance(cls));
          break;
        }
        case OP.TUPLE:
          push(tupleOf(popMark(), usage.joblib));
          break;
        case OP.DICT: {
          const items = popMark();
          if (usage.joblib) {
            const d: Val = { t: 'd', m: new Map(), opaque: false };
            setItems(d, items);
            push(d);
          } else push(OTHER);
          break;
        }
        case OP.LIST:
        case OP.FROZENSET:
          popMark();
          push(OTHER);
          break;
        case OP.TUPLE1: {
          const a = pop();
          push(
            a === OTHER && !usage.joblib
              ? PLAIN_TUPLE
              : tupleOf([a], usage.joblib),
          );
          break;
        }
        case OP.TUPLE2: {
          const b2 = pop();
          const a = pop();
          push(
            a === OTHER && b2 === OTHER && !usage.joblib
              ? PLAIN_TUPLE
              : tupleOf([a, b2], usage.joblib),
          );
          break;
        }
        case OP.TUPLE3: {
          const c3 = pop();
          const b2 = pop();
          const a = pop();
          push(
            a === OTHER && b2 === OTHER && c3 === OTHER && !usage.joblib
              ? PLAIN_TUPLE
              : tupleOf([a, b2, c3], usage.joblib),
          );
          break;
        }
        case OP.GET: {
          const l = await readLine();
          if (!DEC_RE.test(l)) malformed('bad GET index', opOffset, location);
          memoGet(parseInt(l.replace(/_/g, ''), 10));
          break;
        }
        case OP.BINGET:
          memoGet(u8());
          break;
        case OP.LONG_BINGET:
          memoGet(u32());
          break;
        case OP.PUT: {
          const l = await readLine();
          if (!DEC_RE.test(l)) malformed('bad PUT index', opOffset, location);
          memoPut(parseInt(l.replace(/_/g, ''), 10));
          break;
        }
        case OP.BINPUT:
          memoPut(u8());
          break;
        case OP.LONG_BINPUT:
          memoPut(u32());
          break;
        case OP.MEMOIZE:
          memoPut(memo.size);
          break;
        case OP.PROTO: {
          const p = u8();
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
        case OP.FRAME: {
          const len = u64();
          frameEnd = cur.offset + len;
          break;
        }
        case OP.EXT1:
        case OP.EXT2:
        case OP.EXT4: {
          let code: number;
          if (op === OP.EXT1) code = u8();
          else if (op === OP.EXT2) {
            need(2);
            code = cur.buf.readUInt16LE(cur.pos);
            cur.pos += 2;
          } else {
            need(4);
            code = cur.buf.readInt32LE(cur.pos);
            cur.pos += 4;
          }
          push(
            usage.importGlobal(
              EXTENSION,
              `code ${code}`,
              OPCODE_NAMES.get(op)!,
              opOffset,
            ),
          );
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
