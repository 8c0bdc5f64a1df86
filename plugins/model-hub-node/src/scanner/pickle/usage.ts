import { ScanReport } from '../report';
import {
  CLASS_SLOTS,
  CLASS_SLOT_PACKAGES,
  GlobalJudgement,
  TrustedGlobals,
  describeResolved,
  judgeGlobal,
} from './globals';
import { isJoblibWrapperClass } from './joblib';

/** A string operand, kept to resolve STACK_GLOBAL. */
export type Str = { t: 's'; v: string };
/** A global imported by GLOBAL, STACK_GLOBAL, INST or EXT*. */
export type Glob = { t: 'g'; rec: ImportRecord };
/**
 * A tuple, with the positions of the globals directly inside it, and its
 * items when it is short and holds any tracked value.
 */
export type Tup = { t: 't'; globs: Array<[number, Glob]>; items?: Val[] };
/** Any value the scanner does not track (numbers, lists, call results...). */
export type Other = { t: 'o' };
/** An integer literal (kept to read joblib array shapes and dtype states). */
export type Int = { t: 'i'; v: number };
/** `None`. */
export type NoneVal = { t: 'n' };
/** A `numpy.dtype(code, ...)` object and the state a BUILD gave it. */
export type DType = { t: 'dt'; code: string; state?: Val };
/** A dict literal whose keys are all strings (tracked in joblib streams only). */
export type Dict = { t: 'd'; m: Map<string, Val>; opaque: boolean };
/** A `joblib.numpy_pickle.NumpyArrayWrapper` instance and its attributes. */
export type Wrapper = { t: 'w'; attrs: Map<string, Val> };
/** A simulated stack value. */
export type Val =
  | Str
  | Glob
  | Tup
  | Other
  | Int
  | NoneVal
  | DType
  | Dict
  | Wrapper;

/** The single untracked value. */
export const OTHER: Other = { t: 'o' };
/** A tuple that holds no global directly. */
export const PLAIN_TUPLE: Tup = { t: 't', globs: [] };
/** The single `None`. */
export const NONE_VAL: NoneVal = { t: 'n' };

/** Pseudo-module of STACK_GLOBALs whose operands are not plain strings. */
export const UNRESOLVED = '<unresolved>';
/** Pseudo-module of EXT1/EXT2/EXT4 imports. */
export const EXTENSION = '<copyreg extension>';

/** A dotted Python identifier, as `find_class` needs for module and name. */
export const PYTHON_DOTTED_NAME =
  /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** How the pickle uses one distinct imported global. */
export interface ImportRecord {
  module: string;
  name: string;
  via: string;
  offset: number;
  count: number;
  judgement: GlobalJudgement;
  /** Opcodes that called it (REDUCE, NEWOBJ, INST, ...). */
  calls: Set<string>;
  /** First use that a trusted class must not see, e.g. a REDUCE call. */
  misuse?: { what: string; offset: number };
  /** First opcode that modified the global object itself. */
  mutated?: { op: string; offset: number };
}

/** A call whose target the scanner cannot pin to an imported global. */
interface Uncheckable {
  what: string;
  offset: number;
  count: number;
}

const USE_OPS = new Set(['REDUCE', 'INST', 'OBJ']);

/**
 * Tracks every imported global and every call of one pickle stream, and
 * turns them into findings with the allowlist semantics:
 * safe only when every global is allowed for the way it is used.
 */
export class PickleUsage {
  private readonly imports = new Map<string, ImportRecord>();
  private readonly uncheckable = new Map<string, Uncheckable>();
  /**
   * A joblib array wrapper class was imported: from then on ints, tuple
   * items and dicts are tracked (and memoized) so the wrapper's state can
   * be read. Other streams skip that cost.
   */
  joblib = false;

  constructor(private readonly trusted: TrustedGlobals) {}

  /** Records an import and returns the stack value that stands for it. */
  importGlobal(
    module: string,
    name: string,
    via: string,
    offset: number,
  ): Glob {
    const key = `${module}\u0000${name}`;
    let rec = this.imports.get(key);
    if (rec) rec.count++;
    else {
      const pseudo = module === UNRESOLVED || module === EXTENSION;
      rec = {
        module,
        name,
        via,
        offset,
        count: 1,
        judgement: pseudo
          ? { resolved: { written: '', canonical: '', reachable: [] } }
          : judgeGlobal(module, name, this.trusted),
        calls: new Set(),
      };
      this.imports.set(key, rec);
      if (isJoblibWrapperClass(rec.judgement.resolved.canonical))
        this.joblib = true;
    }
    return { t: 'g', rec };
  }

  /**
   * Whether the imports seen so far prove a pickle on their own: a known-
   * dangerous name Python could import, or any global that was called.
   * (Text such as `cython\nnumpy\n` parses as one GLOBAL of harmless-looking
   * identifiers and then fails; that proves nothing.)
   */
  sawStrongImport(): boolean {
    for (const r of this.imports.values()) {
      if (r.calls.size > 0) return true;
      if (
        r.judgement.danger &&
        PYTHON_DOTTED_NAME.test(r.module) &&
        PYTHON_DOTTED_NAME.test(r.name)
      )
        return true;
    }
    return false;
  }

  /**
   * A call by `op`: `callable(*args)` for REDUCE, INST and OBJ,
   * `callable.__new__(callable, *args)` for NEWOBJ(_EX), `persistent_load`
   * for BINPERSID (no callable).
   */
  call(op: string, callable: Val | undefined, args: Val, offset: number) {
    let slot: number | undefined;
    let callee = 'persistent_load';
    if (callable) {
      if (callable.t !== 'g') {
        this.flagUncheckable(
          `${op} calls a value that is not an imported global (the result of another call)`,
          offset,
        );
        return;
      }
      const rec = callable.rec;
      rec.calls.add(op);
      callee = rec.judgement.resolved.canonical || `${rec.module}.${rec.name}`;
      if (USE_OPS.has(op) && rec.judgement.role === 'class') {
        this.misuse(
          rec,
          `called through ${op} with arguments (the pickler rebuilds it with NEWOBJ and BUILD)`,
          offset,
        );
      }
      if (op === 'REDUCE') slot = CLASS_SLOTS.get(callee);
    }
    if (callable && args.t !== 't') {
      // The pickler always passes a tuple literal; a tuple produced by
      // another call (builtins.tuple over a list, ...) hides its contents.
      this.flagUncheckable(
        `${op} passes arguments that were not built as a tuple literal`,
        offset,
      );
    }
    const globs = args.t === 't' ? args.globs : [];
    let slotFilled = false;
    for (const [idx, g] of globs) {
      if (idx === slot) {
        slotFilled = true;
        const pkg = CLASS_SLOT_PACKAGES.get(callee);
        if (
          pkg &&
          g.rec.judgement.role === 'class' &&
          !g.rec.judgement.resolved.canonical.startsWith(pkg)
        ) {
          this.misuse(g.rec, `passed to ${callee}, which calls it`, offset);
        }
        continue;
      }
      if (g.rec.judgement.role === 'class') {
        this.misuse(
          g.rec,
          `passed as argument ${idx} to ${callee}, which may call it`,
          offset,
        );
      }
    }
    // The numpy.random ctors take a name or a class: their slot is optional.
    if (slot !== undefined && !slotFilled && !CLASS_SLOT_PACKAGES.has(callee)) {
      this.flagUncheckable(
        `${callee} rebuilds an object whose class is not an imported global`,
        offset,
      );
    }
    if (callee === 'copyreg._reconstructor') {
      // _reconstructor(cls, base, state) calls base.__new__ and base.__init__.
      const base = globs.find(([i]) => i === 1);
      if (!base) {
        this.flagUncheckable(
          'copyreg._reconstructor is given a base type that is not an imported global',
          offset,
        );
      }
    }
  }

  /** An opcode that changes the object below it (BUILD, SETITEM, APPEND...). */
  mutate(op: string, target: Val, offset: number) {
    if (target.t === 'g' && !target.rec.mutated)
      target.rec.mutated = { op, offset };
  }

  private misuse(rec: ImportRecord, what: string, offset: number) {
    rec.misuse ??= { what, offset };
  }

  private flagUncheckable(what: string, offset: number) {
    const u = this.uncheckable.get(what);
    if (u) u.count++;
    else this.uncheckable.set(what, { what, offset, count: 1 });
  }

  /** Writes one finding per distinct global and per kind of uncheckable call. */
  report(report: ScanReport, location: string) {
    const times = (n: number) => (n > 1 ? ` (${n} times)` : '');
    for (const u of this.uncheckable.values()) {
      report.add(
        'high',
        'pickle/uncheckable-call',
        `${u.what}${times(u.count)}; the pickle cannot be verified`,
        `${location}@offset ${u.offset}`,
      );
    }
    for (const rec of this.imports.values()) {
      const at = `${location}@offset ${rec.offset}`;
      if (rec.module === UNRESOLVED) {
        report.add(
          'high',
          'pickle/unresolved-global',
          `STACK_GLOBAL operands are not plain strings, so the imported global cannot be verified${times(
            rec.count,
          )}`,
          at,
        );
        continue;
      }
      if (rec.module === EXTENSION) {
        report.add(
          'high',
          'pickle/extension-code',
          `imports a global through the copyreg extension registry (${
            rec.via
          } ${rec.name})${times(rec.count)}; it cannot be verified statically`,
          at,
        );
        continue;
      }
      const j = rec.judgement;
      const name = describeResolved(j.resolved);
      const calls = rec.calls.size
        ? ` and calls it (${[...rec.calls].join(', ')})`
        : '';
      const head = `imports ${name} via ${rec.via}${calls}${times(rec.count)}`;
      if (j.danger) {
        report.add(
          j.danger.severity,
          'pickle/dangerous-import',
          `${head}: ${j.danger.via} ${j.danger.reason}`,
          at,
        );
        continue;
      }
      if (!j.role) {
        report.add(
          'high',
          'pickle/unknown-import',
          `${head}: not on the allowlist of known-safe globals${
            calls ? '' : ' (importing it runs its module)'
          }; extend modelHub.scanner.trustedGlobals if it is trusted`,
          at,
        );
        continue;
      }
      if (rec.mutated) {
        report.add(
          'high',
          'pickle/global-mutated',
          `${rec.mutated.op} modifies the imported global ${name} itself, not an object built from it`,
          `${location}@offset ${rec.mutated.offset}`,
        );
      }
      if (rec.misuse && j.role === 'class') {
        report.add(
          'high',
          'pickle/class-misuse',
          `${name} is a trusted class but is ${rec.misuse.what}`,
          `${location}@offset ${rec.misuse.offset}`,
        );
      }
      if (j.trusted) {
        report.add(
          'low',
          'pickle/trusted-global',
          `${head}: allowed by the organisation's trustedGlobals`,
          at,
        );
      }
    }
  }
}
