import type { ScanSeverity } from '@internal/plugin-model-hub-common';
import { ResolvedName, resolveGlobal } from './names';
import { isJoblibWrapperClass } from './joblib';

/** How the scanner judges one imported global, whatever it is used for. */
export interface GlobalClassification {
  /** `undefined` when the global is on the allowlist. */
  severity?: ScanSeverity;
  rule?: string;
  reason?: string;
  /** The name Python resolves the import to (after renames and twins). */
  resolved?: string;
}

/**
 * What an allowlisted global may be used for:
 * - `call`: safe to call with any arguments (tensor and array rebuilders,
 *   plain builtins, containers);
 * - `class`: a class of a trusted ML library, safe only when rebuilt the
 *   way the pickler rebuilds it (`NEWOBJ`, `copyreg.__newobj__` or
 *   `copyreg._reconstructor`, then `BUILD`) or kept as a value; never
 *   called through `REDUCE`, `INST` or `OBJ`, never passed as an argument.
 */
export type GlobalRole = 'call' | 'class';

type Rule = { severity: ScanSeverity; reason: string };
const EXEC = 'can run code or commands';
const LOADS = 'loads a second, unscanned payload';
const NET = 'makes network connections';
const FILES = 'reads or writes files';
const JOBLIB_FILES =
  'makes joblib.load read an array from a separate file named in the pickle (joblib < 0.10 format), which is not scanned';

const crit = (reason: string): Rule => ({ severity: 'critical', reason });
const high = (reason: string): Rule => ({ severity: 'high', reason });

/**
 * Known-dangerous names, in Python 3 spelling (Python 2 spellings and C
 * twins resolve to these). A key matches itself and everything below it:
 * `os` covers `os.system`, `logging.config` covers `logging.config.dictConfig`.
 * This list only decides how loud the finding is (critical rather than
 * high); what keeps a pickle `safe` is the allowlist.
 */
const DENIED: Record<string, Rule> = {
  // processes and code execution
  os: crit(EXEC),
  subprocess: crit(EXEC),
  sys: crit('gives access to the interpreter'),
  runpy: crit(EXEC),
  pty: crit(EXEC),
  code: crit(EXEC),
  codeop: crit(EXEC),
  pdb: crit(EXEC),
  bdb: crit(EXEC),
  doctest: crit(EXEC),
  timeit: crit(EXEC),
  cProfile: crit(EXEC),
  profile: crit(EXEC),
  trace: crit(EXEC),
  pydoc: crit(EXEC),
  asyncio: crit(EXEC),
  multiprocessing: crit(EXEC),
  concurrent: crit(EXEC),
  threading: high('starts threads'),
  atexit: crit('registers code to run at exit'),
  ctypes: crit('can call native code'),
  cffi: crit('can call native code'),
  importlib: crit('can import arbitrary code'),
  imp: crit('can import arbitrary code'),
  pkgutil: crit('can import arbitrary code'),
  zipimport: crit('can import arbitrary code'),
  site: crit('can import arbitrary code'),
  marshal: crit('can load code objects'),
  pip: crit('can install packages'),
  ensurepip: crit('can install packages'),
  venv: crit(EXEC),
  distutils: crit(EXEC),
  setuptools: crit(EXEC),
  _osx_support: crit(EXEC),
  _aix_support: crit(EXEC),
  'uuid._get_command_stdout': crit(EXEC),
  'uuid._popen': crit(EXEC),
  'platform.popen': crit(EXEC),
  'platform._syscmd_file': crit(EXEC),
  'platform._syscmd_ver': crit(EXEC),
  platform: high('can run commands'),
  mailcap: crit(EXEC),
  imaplib: crit('can spawn a command (IMAP4_stream)'),
  'logging.config': crit('can build and call arbitrary factories'),
  idlelib: crit(EXEC),
  tkinter: high('opens windows'),
  turtle: high('opens windows'),
  antigravity: high('opens a web browser'),
  webbrowser: high('opens URLs'),
  // second payloads
  pickle: crit(LOADS),
  dill: crit(LOADS),
  cloudpickle: crit(LOADS),
  shelve: crit(LOADS),
  copyreg: high('rewires pickling'),
  'pandas.read_pickle': crit(LOADS),
  'pandas.io.pickle': crit(LOADS),
  'pandas.io': high(FILES),
  'joblib.load': crit(LOADS),
  'joblib.numpy_pickle.load': crit(LOADS),
  'joblib.numpy_pickle.load_compatibility': crit(LOADS),
  'joblib.numpy_pickle_compat': crit(LOADS),
  // joblib < 0.10 arrays: np.load of a file whose name the pickle gives
  'joblib.numpy_pickle.NDArrayWrapper': high(JOBLIB_FILES),
  'joblib.numpy_pickle.ZNDArrayWrapper': high(JOBLIB_FILES),
  'numpy.load': high(LOADS),
  'numpy.lib.npyio.load': high(LOADS),
  'numpy.fromfile': high(FILES),
  'numpy.memmap': high(FILES),
  'numpy.ctypeslib': crit('can load native libraries'),
  'numpy.testing': crit(EXEC),
  'numpy.f2py': crit(EXEC),
  'numpy.distutils': crit(EXEC),
  'torch.hub': crit('downloads and runs code'),
  'torch.load': high(LOADS),
  'torch.serialization': high(LOADS),
  'torch.storage._load_from_bytes': high(LOADS),
  'torch.jit': high('loads TorchScript'),
  'torch.package': high(LOADS),
  'torch.compile': high('compiles code'),
  'torch._dynamo': high('compiles code'),
  'torch._inductor': crit('compiles and loads code'),
  'torch.utils.cpp_extension': crit('compiles and loads native code'),
  'torch.distributed': high(NET),
  // calls built from data
  'builtins.eval': crit(EXEC),
  'builtins.exec': crit(EXEC),
  'builtins.execfile': crit(EXEC),
  'builtins.compile': crit(EXEC),
  'builtins.__import__': crit('imports arbitrary modules'),
  'builtins.getattr': crit('reaches arbitrary attributes'),
  'builtins.breakpoint': crit('starts a debugger'),
  'builtins.apply': crit('calls arbitrary functions'),
  'builtins.reload': crit('re-imports modules'),
  'builtins.input': high('reads interactive input'),
  'builtins.open': high('opens files'),
  'builtins.file': high('opens files'),
  'builtins.setattr': high('modifies arbitrary objects'),
  'builtins.delattr': high('modifies arbitrary objects'),
  'builtins.globals': high('gives access to globals'),
  'builtins.locals': high('gives access to locals'),
  'builtins.vars': high('gives access to namespaces'),
  'builtins.help': high('can run a pager'),
  'builtins.exit': high('stops the process'),
  'builtins.quit': high('stops the process'),
  'builtins.memoryview': high('exposes raw memory'),
  'builtins.type': high('creates classes'),
  'builtins.super': high('reaches base-class methods'),
  'builtins.map': high('applies a function lazily'),
  'builtins.filter': high('applies a function lazily'),
  _sitebuiltins: high('can run a pager or stop the process'),
  'functools.partial': crit('builds arbitrary calls'),
  'functools.partialmethod': crit('builds arbitrary calls'),
  'functools.reduce': high('builds arbitrary calls'),
  'operator.attrgetter': crit('reaches arbitrary attributes'),
  'operator.methodcaller': crit('calls arbitrary methods'),
  'operator.call': crit('calls arbitrary functions'),
  'operator.itemgetter': high('builds gadget chains'),
  'operator.getitem': high('builds gadget chains'),
  'operator.setitem': high('modifies arbitrary objects'),
  'operator.delitem': high('modifies arbitrary objects'),
  'types.CodeType': crit('creates code objects'),
  'types.FunctionType': crit('creates functions'),
  'types.LambdaType': crit('creates functions'),
  'types.MethodType': high('binds arbitrary methods'),
  'types.ModuleType': high('creates modules'),
  'collections.namedtuple': crit('builds classes with exec'),
  'codecs.open': high('opens files'),
  'os.path': high('inspects the file system'),
  // network
  socket: crit(NET),
  ssl: high(NET),
  socketserver: high(NET),
  urllib: high(NET),
  urllib3: high(NET),
  requests: high(NET),
  http: high(NET),
  aiohttp: high(NET),
  httpx: high(NET),
  ftplib: high(NET),
  smtplib: high(NET),
  poplib: high(NET),
  nntplib: high(NET),
  telnetlib: high(NET),
  xmlrpc: high(NET),
  // files and process state
  shutil: crit('can delete or move files'),
  io: high(FILES),
  tempfile: high(FILES),
  pathlib: high(FILES),
  glob: high(FILES),
  fileinput: high(FILES),
  linecache: high(FILES),
  dbm: high(FILES),
  sqlite3: high(FILES),
  zipfile: high(FILES),
  tarfile: high(FILES),
  'bz2.open': high(FILES),
  'gzip.open': high(FILES),
  'lzma.open': high(FILES),
  signal: high('changes process signal handling'),
  gc: high('gives access to all live objects'),
  inspect: high('gives access to frames and globals'),
};

/** Dunder attributes walk from any object to builtins, frames and code. */
const DUNDER = /^__\w+__$/;
const PICKLER_DUNDERS = new Set(['__newobj__', '__newobj_ex__']);

/**
 * Globals that may be called with any arguments: they rebuild tensors,
 * arrays and plain containers and cannot reach code, files or the network.
 */
const ALLOWED_CALL = new Set<string>([
  // torch
  'torch._utils._rebuild_tensor',
  'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_tensor_v3',
  'torch._utils._rebuild_parameter',
  'torch._utils._rebuild_parameter_with_state',
  'torch._utils._rebuild_parameter_v2',
  'torch._utils._rebuild_qtensor',
  'torch._utils._rebuild_sparse_tensor',
  'torch._utils._rebuild_sparse_csr',
  'torch._utils._rebuild_nested_tensor',
  'torch._utils._rebuild_meta_tensor_no_storage',
  'torch._utils._rebuild_wrapper_subclass',
  'torch._utils._rebuild_device_tensor_from_numpy',
  'torch._tensor._rebuild_from_type_v2',
  'torch.serialization._get_layout',
  'torch.Size',
  'torch.device',
  'torch.Tensor',
  'torch.nn.parameter.Parameter',
  'torch.strided',
  'torch.sparse_coo',
  'torch.sparse_csr',
  'torch.per_tensor_affine',
  'torch.per_channel_affine',
  'torch.contiguous_format',
  'torch.channels_last',
  'torch.preserve_format',
  'torch.storage.TypedStorage',
  'torch.storage.UntypedStorage',
  // containers
  'collections.OrderedDict',
  'collections.defaultdict',
  'collections.Counter',
  'collections.deque',
  // numpy 1 and 2
  'numpy.core.multiarray._reconstruct',
  'numpy._core.multiarray._reconstruct',
  'numpy.core.multiarray.scalar',
  'numpy._core.multiarray.scalar',
  'numpy.core.numeric._frombuffer',
  'numpy._core.numeric._frombuffer',
  'numpy.ndarray',
  'numpy.dtype',
  'numpy.ma.core._mareconstruct',
  'numpy.random._pickle.__randomstate_ctor',
  'numpy.random._pickle.__generator_ctor',
  'numpy.random._pickle.__bit_generator_ctor',
  'numpy.random.__RandomState_ctor',
  // scikit-learn Cython types whose __reduce__ passes constructor arguments
  'sklearn.tree._tree.Tree',
  'sklearn.neighbors._kd_tree.KDTree',
  'sklearn.neighbors._ball_tree.BallTree',
  'sklearn.neighbors._kd_tree.newObj',
  'sklearn.neighbors._ball_tree.newObj',
  'sklearn.neighbors._binary_tree.newObj',
  // pandas reconstruction helpers
  'pandas._libs.internals._unpickle_block',
  'pandas.core.internals.blocks.new_block',
  'pandas.core.indexes.base._new_Index',
  'pandas._libs.tslibs.timestamps._unpickle_timestamp',
  'pandas._libs.tslibs.timedeltas._timedelta_unpickle',
  // codecs used by protocol 2 for bytes
  'codecs.encode',
  // the pickler's own helpers (their arguments are checked separately)
  'copyreg._reconstructor',
  'copyreg.__newobj__',
  'copyreg.__newobj_ex__',
  // plain builtins
  'builtins.object',
  'builtins.set',
  'builtins.frozenset',
  'builtins.list',
  'builtins.dict',
  'builtins.tuple',
  'builtins.slice',
  'builtins.range',
  'builtins.complex',
  'builtins.bytearray',
  'builtins.bytes',
  'builtins.str',
  'builtins.int',
  'builtins.float',
  'builtins.bool',
  'builtins.Ellipsis',
  'builtins.NotImplemented',
]);

/** The pickler's rebuild helpers and the argument slot that holds a class. */
export const CLASS_SLOTS: ReadonlyMap<string, number> = new Map([
  ['copyreg.__newobj__', 0],
  ['copyreg.__newobj_ex__', 0],
  ['copyreg._reconstructor', 0],
  ['numpy.core.multiarray._reconstruct', 0],
  ['numpy._core.multiarray._reconstruct', 0],
  ['numpy.ma.core._mareconstruct', 0],
  ['pandas.core.indexes.base._new_Index', 0],
  ['torch._utils._rebuild_wrapper_subclass', 0],
  ['torch._tensor._rebuild_from_type_v2', 1],
  // numpy >= 2 passes the BitGenerator class (numpy.random.* only)
  ['numpy.random._pickle.__bit_generator_ctor', 0],
  ['numpy.random._pickle.__generator_ctor', 0],
  ['numpy.random._pickle.__randomstate_ctor', 0],
]);

/** Class slots that only accept classes from one package. */
export const CLASS_SLOT_PACKAGES: ReadonlyMap<string, string> = new Map([
  ['numpy.random._pickle.__bit_generator_ctor', 'numpy.random.'],
  ['numpy.random._pickle.__generator_ctor', 'numpy.random.'],
  ['numpy.random._pickle.__randomstate_ctor', 'numpy.random.'],
]);

const TORCH_DTYPES = new Set([
  'float16',
  'float32',
  'float64',
  'bfloat16',
  'half',
  'float',
  'double',
  'int8',
  'int16',
  'int32',
  'int64',
  'uint8',
  'uint16',
  'uint32',
  'uint64',
  'short',
  'int',
  'long',
  'bool',
  'complex32',
  'complex64',
  'complex128',
  'cfloat',
  'cdouble',
  'float8_e4m3fn',
  'float8_e5m2',
  'float8_e4m3fnuz',
  'float8_e5m2fnuz',
  'qint8',
  'quint8',
  'qint32',
  'quint4x2',
]);

const NUMPY_SCALARS =
  /^numpy\.(bool_?|int(8|16|32|64)|uint(8|16|32|64)|float(16|32|64|128)|complex(64|128|256)|longdouble|clongdouble|str_|bytes_|void|object_|datetime64|timedelta64|intc|uintc|longlong|ulonglong|half|single|double|csingle|cdouble)$/;

/** Trusted ML libraries whose classes may be rebuilt the pickler's way. */
const TRUSTED_CLASS_LIBRARIES =
  /^(sklearn|xgboost|lightgbm|catboost|pandas\.core|pandas\._libs|torch\.nn\.modules|numpy\.random|numpy\.ma\.core|numpy\.dtypes|numpy\._core\.dtypes)\./;
/** A class by Python convention: the last segment starts with a capital. */
const CLASS_NAME = /(^|\.)_*[A-Z][A-Za-z0-9_]*$/;
/** Cython's generated unpicklers: `module.__pyx_unpickle_<Class>`. */
const CYTHON_UNPICKLE = /\.__pyx_unpickle_[A-Za-z0-9_]+$/;

function patternRole(canonical: string): GlobalRole | undefined {
  if (canonical.startsWith('torch.')) {
    const rest = canonical.slice(6);
    if (/^[A-Za-z0-9]*Storage$/.test(rest) || TORCH_DTYPES.has(rest))
      return 'call';
  }
  if (NUMPY_SCALARS.test(canonical)) return 'call';
  if (TRUSTED_CLASS_LIBRARIES.test(canonical)) {
    if (CYTHON_UNPICKLE.test(canonical)) return 'call';
    if (CLASS_NAME.test(canonical)) return 'class';
  }
  return undefined;
}

/**
 * Organisation-trusted global patterns (`modelHub.scanner.trustedGlobals`):
 * `module.qualname` matches exactly, `module.*` matches everything in that
 * module and below. Trusted globals are treated like `call` entries, but
 * never override the list of known-dangerous names.
 */
export class TrustedGlobals {
  private readonly exact = new Set<string>();
  private readonly prefixes: string[] = [];

  constructor(patterns: readonly string[] = []) {
    for (const raw of patterns) {
      const p = raw.trim();
      if (!p) continue;
      if (p.endsWith('.*')) this.prefixes.push(p.slice(0, -1));
      else this.exact.add(p);
    }
  }

  /** Whether `full` (as written or resolved) is trusted. */
  has(full: string): boolean {
    if (this.exact.has(full)) return true;
    return this.prefixes.some(p => full.startsWith(p));
  }
}

const NO_TRUST = new TrustedGlobals();

function denial(r: ResolvedName): (Rule & { via: string }) | undefined {
  // The most severe rule over every path the import can reach.
  let worst: (Rule & { via: string }) | undefined;
  for (const path of r.reachable) {
    const segs = path.split('.');
    for (let k = segs.length; k >= 1; k--) {
      const key = segs.slice(0, k).join('.');
      const rule = DENIED[key];
      if (rule) {
        if (
          !worst ||
          (worst.severity !== 'critical' && rule.severity === 'critical')
        )
          worst = { ...rule, via: path };
        break;
      }
    }
  }
  if (worst) return worst;
  const segs = r.written.split('.');
  const dunder = segs.find(
    (s, i) => i > 0 && DUNDER.test(s) && !PICKLER_DUNDERS.has(s),
  );
  if (dunder) {
    return {
      severity: 'critical',
      reason: `walks through the dunder attribute ${dunder} to reach arbitrary objects`,
      via: r.written,
    };
  }
  return undefined;
}

/** A global's full verdict before its use in the pickle is considered. */
export interface GlobalJudgement {
  resolved: ResolvedName;
  /** Set for known-dangerous names (always a finding). */
  danger?: Rule & { via: string };
  /** Set for allowlisted (or organisation-trusted) names. */
  role?: GlobalRole;
  /** Whether the role comes from the organisation's trustedGlobals. */
  trusted?: boolean;
}

/** Judges one imported global: dangerous, allowed in a role, or unknown. */
export function judgeGlobal(
  module: string,
  name: string,
  trusted: TrustedGlobals = NO_TRUST,
): GlobalJudgement {
  const resolved = resolveGlobal(module, name);
  if (ALLOWED_CALL.has(resolved.canonical)) return { resolved, role: 'call' };
  const danger = denial(resolved);
  if (danger) return { resolved, danger };
  // joblib's array wrapper: NEWOBJ + BUILD only, its inline bytes skipped.
  if (isJoblibWrapperClass(resolved)) return { resolved, role: 'class' };
  const role = patternRole(resolved.canonical);
  if (role) return { resolved, role };
  if (trusted.has(resolved.written) || trusted.has(resolved.canonical))
    return { resolved, role: 'call', trusted: true };
  return { resolved };
}

/** The documented allowlist test (exact names and patterns, any role). */
export function isAllowedGlobal(module: string, name: string): boolean {
  return judgeGlobal(module, name).role !== undefined;
}

/** `written (resolves to canonical)` when the two differ. */
export function describeResolved(r: ResolvedName): string {
  return r.written === r.canonical
    ? r.written
    : `${r.written} (resolves to ${r.canonical})`;
}

/**
 * Classifies a global by name alone: denylisted (critical/high with rule
 * `pickle/dangerous-import`), allowlisted (no severity) or unknown (high,
 * `pickle/unknown-import`: a pickle importing it is not known to be safe).
 * The pickle scanner also weighs how each global is used.
 */
export function classifyGlobal(
  module: string,
  name: string,
  trusted?: TrustedGlobals,
): GlobalClassification {
  const j = judgeGlobal(module, name, trusted);
  const resolved = j.resolved.canonical;
  if (j.danger) {
    return {
      severity: j.danger.severity,
      rule: 'pickle/dangerous-import',
      reason: `${j.danger.via} ${j.danger.reason}`,
      resolved,
    };
  }
  if (j.role) return { resolved };
  return {
    severity: 'high',
    rule: 'pickle/unknown-import',
    reason: `${describeResolved(
      j.resolved,
    )} is not on the allowlist of known-safe globals`,
    resolved,
  };
}
