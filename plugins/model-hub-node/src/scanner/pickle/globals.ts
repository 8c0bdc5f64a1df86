import type { ScanSeverity } from '@internal/plugin-model-hub-common';

/** How the scanner judges one imported global. */
export interface GlobalClassification {
  /** `undefined` when the global is on the allowlist. */
  severity?: ScanSeverity;
  rule?: string;
  reason?: string;
}

type Rule = { severity: ScanSeverity; reason: string };
const EXEC = 'can run code or commands';

/**
 * Modules that are dangerous as a whole (any attribute): the union of the
 * modelscan and picklescan denylists plus a few more. A module also matches
 * its sub-modules (`urllib` covers `urllib.request`).
 */
const DENIED_MODULES: Record<string, Rule> = {
  os: { severity: 'critical', reason: EXEC },
  posix: { severity: 'critical', reason: EXEC },
  nt: { severity: 'critical', reason: EXEC },
  subprocess: { severity: 'critical', reason: EXEC },
  _posixsubprocess: { severity: 'critical', reason: EXEC },
  sys: { severity: 'critical', reason: 'gives access to the interpreter' },
  runpy: { severity: 'critical', reason: EXEC },
  pty: { severity: 'critical', reason: EXEC },
  shutil: { severity: 'critical', reason: 'can delete or move files' },
  pickle: { severity: 'critical', reason: 'can load further pickles' },
  _pickle: { severity: 'critical', reason: 'can load further pickles' },
  cPickle: { severity: 'critical', reason: 'can load further pickles' },
  dill: { severity: 'critical', reason: 'can load further pickles' },
  marshal: { severity: 'critical', reason: 'can load code objects' },
  pdb: { severity: 'critical', reason: EXEC },
  bdb: { severity: 'critical', reason: EXEC },
  ctypes: { severity: 'critical', reason: 'can call native code' },
  _ctypes: { severity: 'critical', reason: 'can call native code' },
  importlib: { severity: 'critical', reason: 'can import arbitrary code' },
  pkgutil: { severity: 'critical', reason: 'can import arbitrary code' },
  code: { severity: 'critical', reason: EXEC },
  codeop: { severity: 'critical', reason: EXEC },
  commands: { severity: 'critical', reason: EXEC },
  asyncio: { severity: 'critical', reason: EXEC },
  multiprocessing: { severity: 'critical', reason: EXEC },
  timeit: { severity: 'critical', reason: EXEC },
  cProfile: { severity: 'critical', reason: EXEC },
  profile: { severity: 'critical', reason: EXEC },
  trace: { severity: 'critical', reason: EXEC },
  pydoc: { severity: 'critical', reason: EXEC },
  pip: { severity: 'critical', reason: 'can install packages' },
  venv: { severity: 'critical', reason: EXEC },
  distutils: { severity: 'critical', reason: EXEC },
  setuptools: { severity: 'critical', reason: EXEC },
  'torch.hub': { severity: 'critical', reason: 'downloads and runs code' },
  'torch.serialization': { severity: 'high', reason: 'loads further pickles' },
  'torch._dynamo': { severity: 'high', reason: 'compiles code' },
  socket: { severity: 'critical', reason: 'opens network connections' },
  socketserver: { severity: 'high', reason: 'opens network connections' },
  urllib: { severity: 'high', reason: 'makes network requests' },
  urllib2: { severity: 'high', reason: 'makes network requests' },
  urllib3: { severity: 'high', reason: 'makes network requests' },
  requests: { severity: 'high', reason: 'makes network requests' },
  httplib: { severity: 'high', reason: 'makes network requests' },
  'http.client': { severity: 'high', reason: 'makes network requests' },
  'http.server': { severity: 'high', reason: 'opens network listeners' },
  aiohttp: { severity: 'high', reason: 'makes network requests' },
  httpx: { severity: 'high', reason: 'makes network requests' },
  ftplib: { severity: 'high', reason: 'makes network requests' },
  smtplib: { severity: 'high', reason: 'makes network requests' },
  telnetlib: { severity: 'high', reason: 'makes network requests' },
  xmlrpc: { severity: 'high', reason: 'makes network requests' },
  webbrowser: { severity: 'high', reason: 'opens URLs' },
  platform: { severity: 'high', reason: 'can run commands (platform.popen)' },
  tempfile: { severity: 'high', reason: 'creates files' },
  signal: { severity: 'high', reason: 'changes process signal handling' },
  glob: { severity: 'high', reason: 'lists the file system' },
  pathlib: { severity: 'high', reason: 'reads and writes files' },
  io: { severity: 'high', reason: 'opens files' },
  _io: { severity: 'high', reason: 'opens files' },
  zipimport: { severity: 'critical', reason: 'can import arbitrary code' },
  threading: { severity: 'high', reason: 'starts threads' },
  _thread: { severity: 'high', reason: 'starts threads' },
  gc: { severity: 'high', reason: 'gives access to all live objects' },
  inspect: { severity: 'high', reason: 'gives access to frames and globals' },
};

/** Single dangerous attributes of otherwise harmless modules. */
const DENIED_NAMES: Record<string, Record<string, Rule>> = {
  builtins: {},
  functools: {
    partial: { severity: 'critical', reason: 'builds arbitrary calls' },
    reduce: { severity: 'high', reason: 'builds arbitrary calls' },
  },
  operator: {
    attrgetter: {
      severity: 'critical',
      reason: 'reaches arbitrary attributes',
    },
    itemgetter: { severity: 'high', reason: 'builds gadget chains' },
    methodcaller: { severity: 'critical', reason: 'calls arbitrary methods' },
    getitem: { severity: 'high', reason: 'builds gadget chains' },
  },
  types: {
    CodeType: { severity: 'critical', reason: 'creates code objects' },
    FunctionType: { severity: 'critical', reason: 'creates functions' },
    MethodType: { severity: 'high', reason: 'binds arbitrary methods' },
    ModuleType: { severity: 'high', reason: 'creates modules' },
  },
  'numpy.testing._private.utils': {
    runstring: { severity: 'critical', reason: EXEC },
  },
  'torch._inductor.codecache': {
    compile_file: { severity: 'critical', reason: 'compiles and loads code' },
  },
  torch: {
    load: { severity: 'high', reason: 'loads further pickles' },
    compile: { severity: 'high', reason: 'compiles code' },
  },
  'torch.storage': {
    _load_from_bytes: { severity: 'high', reason: 'loads further pickles' },
  },
  'torch.jit': { load: { severity: 'high', reason: 'loads TorchScript' } },
  'numpy.lib.npyio': {
    load: { severity: 'high', reason: 'may load pickles' },
  },
  numpy: { load: { severity: 'high', reason: 'may load pickles' } },
  codecs: { open: { severity: 'high', reason: 'opens files' } },
  copyreg: {
    add_extension: { severity: 'high', reason: 'rewires pickle globals' },
  },
  joblib: { load: { severity: 'high', reason: 'loads further pickles' } },
};
const BUILTIN_RULES: Record<string, Rule> = {
  eval: { severity: 'critical', reason: EXEC },
  exec: { severity: 'critical', reason: EXEC },
  execfile: { severity: 'critical', reason: EXEC },
  compile: { severity: 'critical', reason: EXEC },
  __import__: { severity: 'critical', reason: 'imports arbitrary modules' },
  getattr: { severity: 'critical', reason: 'reaches arbitrary attributes' },
  breakpoint: { severity: 'critical', reason: 'starts a debugger' },
  apply: { severity: 'critical', reason: 'calls arbitrary functions' },
  input: { severity: 'high', reason: 'reads interactive input' },
  open: { severity: 'high', reason: 'opens files' },
  file: { severity: 'high', reason: 'opens files' },
  setattr: { severity: 'high', reason: 'modifies arbitrary objects' },
  delattr: { severity: 'high', reason: 'modifies arbitrary objects' },
  globals: { severity: 'high', reason: 'gives access to globals' },
  locals: { severity: 'high', reason: 'gives access to locals' },
  vars: { severity: 'high', reason: 'gives access to namespaces' },
  help: { severity: 'high', reason: 'can run a pager' },
  exit: { severity: 'high', reason: 'stops the process' },
  quit: { severity: 'high', reason: 'stops the process' },
  memoryview: { severity: 'high', reason: 'exposes raw memory' },
  type: { severity: 'high', reason: 'creates classes' },
  super: { severity: 'high', reason: 'reaches base-class methods' },
};
DENIED_NAMES.builtins = BUILTIN_RULES;
DENIED_NAMES.__builtin__ = BUILTIN_RULES;
DENIED_NAMES.__builtins__ = BUILTIN_RULES;

/**
 * Globals that ordinary PyTorch, NumPy and scikit-style checkpoints import
 * and that cannot be abused on their own.
 */
const ALLOWED = new Set<string>([
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
  'collections.OrderedDict',
  'collections.defaultdict',
  'collections.Counter',
  'collections.deque',
  'numpy.core.multiarray._reconstruct',
  'numpy._core.multiarray._reconstruct',
  'numpy.core.multiarray.scalar',
  'numpy._core.multiarray.scalar',
  'numpy.core.numeric._frombuffer',
  'numpy._core.numeric._frombuffer',
  'numpy.ndarray',
  'numpy.dtype',
  'numpy.ma.core._mareconstruct',
  '_codecs.encode',
  'copyreg._reconstructor',
  'copy_reg._reconstructor',
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
  '__builtin__.object',
  '__builtin__.set',
  '__builtin__.frozenset',
  '__builtin__.list',
  '__builtin__.dict',
  '__builtin__.tuple',
  '__builtin__.slice',
  '__builtin__.complex',
  '__builtin__.bytearray',
  '__builtin__.str',
  '__builtin__.unicode',
  '__builtin__.int',
  '__builtin__.long',
  '__builtin__.float',
  '__builtin__.bool',
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

/** Names inside a dotted global name that reveal an attribute-chain bypass. */
const DANGEROUS_SEGMENTS = new Set([
  'os',
  'sys',
  'subprocess',
  'builtins',
  '__builtins__',
  '__builtin__',
  '__import__',
  '__globals__',
  '__subclasses__',
  '__code__',
  'eval',
  'exec',
  'system',
  'popen',
  'getattr',
  'pickle',
]);

/** The documented allowlist test (exact names plus torch storage/dtype patterns). */
export function isAllowedGlobal(module: string, name: string): boolean {
  const full = `${module}.${name}`;
  if (ALLOWED.has(full)) return true;
  if (module === 'torch') {
    if (/^[A-Za-z0-9]*Storage$/.test(name)) return true;
    if (TORCH_DTYPES.has(name)) return true;
  }
  if (module === 'torch.storage' && /^(Typed|Untyped)Storage$/.test(name)) {
    return true;
  }
  if (module === 'numpy.dtypes' || module === 'numpy._core.dtypes') {
    return /^[A-Za-z0-9]+DType$/.test(name);
  }
  return false;
}

function deniedModuleRule(module: string): Rule | undefined {
  let m = module;
  for (;;) {
    const rule = DENIED_MODULES[m];
    if (rule) return rule;
    const dot = m.lastIndexOf('.');
    if (dot < 0) return undefined;
    m = m.slice(0, dot);
  }
}

/**
 * Classifies a global a pickle imports: denylisted (critical/high),
 * allowlisted (no finding) or unknown (medium).
 */
export function classifyGlobal(
  module: string,
  name: string,
): GlobalClassification {
  const full = `${module}.${name}`;
  const byModule = deniedModuleRule(module);
  if (byModule) {
    return {
      severity: byModule.severity,
      rule: 'pickle/dangerous-import',
      reason: `module ${module.split('.')[0]} ${byModule.reason}`,
    };
  }
  const names = DENIED_NAMES[module];
  const first = name.split('.')[0];
  const byName = names ? names[name] ?? names[first] : undefined;
  if (byName) {
    return {
      severity: byName.severity,
      rule: 'pickle/dangerous-import',
      reason: `${module}.${first} ${byName.reason}`,
    };
  }
  if (name.includes('.')) {
    // Protocol 4 resolves dotted names attribute by attribute, so
    // `torch.serialization` + `os.system` reaches os.system.
    const segments = name.split('.');
    const hit = segments.find(s => DANGEROUS_SEGMENTS.has(s));
    if (hit) {
      return {
        severity: 'critical',
        rule: 'pickle/dangerous-import',
        reason: `dotted name reaches "${hit}" through attribute lookup`,
      };
    }
    const asModule = deniedModuleRule(
      `${module}.${segments.slice(0, -1).join('.')}`,
    );
    if (asModule) {
      return {
        severity: asModule.severity,
        rule: 'pickle/dangerous-import',
        reason: `dotted name reaches a module that ${asModule.reason}`,
      };
    }
  }
  if (isAllowedGlobal(module, name)) return {};
  return {
    severity: 'medium',
    rule: 'pickle/unknown-import',
    reason: `${full} is not on the allowlist of known-safe globals`,
  };
}
