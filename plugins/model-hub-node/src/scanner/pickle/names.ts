/**
 * How Python's unpickler turns a pickle's `(module, name)` pair into the
 * object it imports, modelled so that every spelling of a callable resolves
 * to the name the deny- and allowlists use.
 *
 * - `_compat_pickle` (protocol < 3, `fix_imports`): Python 2 names are
 *   renamed on load (`__builtin__` → `builtins`, `xmlrpclib` →
 *   `xmlrpc.client`, `cPickle` → `pickle`, `StringIO` → `io`, ...).
 * - C accelerator twins and platform modules are the same callables under
 *   another module name (`_operator` → `operator`, `posix` → `os`, ...).
 * - Dotted names are walked attribute by attribute (protocol 4 and every
 *   Python since 3.11), so `random` + `_os.execv` is `os.execv`: every
 *   suffix of the path is also a name the pickle can reach.
 */

/** `_compat_pickle.IMPORT_MAPPING` (Python 3.12), Python 2 → 3 modules. */
const IMPORT_MAPPING: Record<string, string> = {
  __builtin__: 'builtins',
  copy_reg: 'copyreg',
  Queue: 'queue',
  SocketServer: 'socketserver',
  ConfigParser: 'configparser',
  repr: 'reprlib',
  tkFileDialog: 'tkinter.filedialog',
  tkSimpleDialog: 'tkinter.simpledialog',
  tkColorChooser: 'tkinter.colorchooser',
  tkCommonDialog: 'tkinter.commondialog',
  Dialog: 'tkinter.dialog',
  Tkdnd: 'tkinter.dnd',
  tkFont: 'tkinter.font',
  tkMessageBox: 'tkinter.messagebox',
  ScrolledText: 'tkinter.scrolledtext',
  Tkconstants: 'tkinter.constants',
  Tix: 'tkinter.tix',
  ttk: 'tkinter.ttk',
  Tkinter: 'tkinter',
  markupbase: '_markupbase',
  _winreg: 'winreg',
  thread: '_thread',
  dummy_thread: '_dummy_thread',
  dbhash: 'dbm.bsd',
  dumbdbm: 'dbm.dumb',
  dbm: 'dbm.ndbm',
  gdbm: 'dbm.gnu',
  xmlrpclib: 'xmlrpc.client',
  SimpleXMLRPCServer: 'xmlrpc.server',
  httplib: 'http.client',
  htmlentitydefs: 'html.entities',
  HTMLParser: 'html.parser',
  Cookie: 'http.cookies',
  cookielib: 'http.cookiejar',
  BaseHTTPServer: 'http.server',
  'test.test_support': 'test.support',
  commands: 'subprocess',
  urlparse: 'urllib.parse',
  robotparser: 'urllib.robotparser',
  urllib2: 'urllib.request',
  anydbm: 'dbm',
  _abcoll: 'collections.abc',
  cPickle: 'pickle',
  _elementtree: 'xml.etree.ElementTree',
  FileDialog: 'tkinter.filedialog',
  SimpleDialog: 'tkinter.simpledialog',
  DocXMLRPCServer: 'xmlrpc.server',
  SimpleHTTPServer: 'http.server',
  CGIHTTPServer: 'http.server',
  UserDict: 'collections',
  UserList: 'collections',
  UserString: 'collections',
  whichdb: 'dbm',
  StringIO: 'io',
  cStringIO: 'io',
};

/** `_compat_pickle.NAME_MAPPING` entries that move a name to another module. */
const NAME_MAPPING: Record<string, string> = {
  '__builtin__.xrange': 'builtins.range',
  '__builtin__.reduce': 'functools.reduce',
  '__builtin__.intern': 'sys.intern',
  '__builtin__.unichr': 'builtins.chr',
  '__builtin__.unicode': 'builtins.str',
  '__builtin__.long': 'builtins.int',
  '__builtin__.basestring': 'builtins.str',
  'itertools.izip': 'builtins.zip',
  'itertools.imap': 'builtins.map',
  'itertools.ifilter': 'builtins.filter',
  'itertools.ifilterfalse': 'itertools.filterfalse',
  'itertools.izip_longest': 'itertools.zip_longest',
  'UserDict.IterableUserDict': 'collections.UserDict',
  'UserDict.UserDict': 'collections.UserDict',
  'UserList.UserList': 'collections.UserList',
  'UserString.UserString': 'collections.UserString',
  'whichdb.whichdb': 'dbm.whichdb',
  '_socket.fromfd': 'socket.fromfd',
  '_multiprocessing.Connection': 'multiprocessing.connection.Connection',
  'multiprocessing.process.Process': 'multiprocessing.context.Process',
  'multiprocessing.forking.Popen': 'multiprocessing.popen_fork.Popen',
  'urllib.getproxies': 'urllib.request.getproxies',
  'urllib.pathname2url': 'urllib.request.pathname2url',
  'urllib.url2pathname': 'urllib.request.url2pathname',
  'urllib.urlcleanup': 'urllib.request.urlcleanup',
  'urllib.urlopen': 'urllib.request.urlopen',
  'urllib.urlretrieve': 'urllib.request.urlretrieve',
  'urllib2.HTTPError': 'urllib.error.HTTPError',
  'urllib2.URLError': 'urllib.error.URLError',
};

/**
 * C twins, platform modules and private aliases of public modules: the
 * same callables under another name. `_compat_pickle`'s reverse mapping
 * (`_functools`, `_pickle`, `_bz2`, ...) is included, so a name resolves
 * the same way whichever direction a pickle was written in.
 */
const TWINS: Record<string, string> = {
  _operator: 'operator',
  _functools: 'functools',
  _pickle: 'pickle',
  _io: 'io',
  _pyio: 'io',
  _codecs: 'codecs',
  posix: 'os',
  nt: 'os',
  _os: 'os',
  _sys: 'sys',
  _posixsubprocess: 'subprocess',
  _subprocess: 'subprocess',
  _winapi: 'subprocess',
  _collections: 'collections',
  _socket: 'socket',
  _ssl: 'ssl',
  _thread: 'threading',
  _dummy_thread: 'threading',
  _ctypes: 'ctypes',
  _signal: 'signal',
  _imp: 'importlib',
  _frozen_importlib: 'importlib',
  _frozen_importlib_external: 'importlib',
  _bootstrap: 'importlib',
  _bootstrap_external: 'importlib',
  _multiprocessing: 'multiprocessing',
  _posixshmem: 'multiprocessing',
  _asyncio: 'asyncio',
  _bz2: 'bz2',
  _lzma: 'lzma',
  _gdbm: 'dbm',
  _dbm: 'dbm',
  _sqlite3: 'sqlite3',
  _random: 'random',
  _datetime: 'datetime',
  _pydatetime: 'datetime',
  _decimal: 'decimal',
  _pydecimal: 'decimal',
  _struct: 'struct',
  _json: 'json',
  _csv: 'csv',
  _heapq: 'heapq',
  _bisect: 'bisect',
  _weakref: 'weakref',
  _abc: 'abc',
  _py_abc: 'abc',
  _collections_abc: 'collections.abc',
  _marshal: 'marshal',
  _builtins: 'builtins',
  __builtins__: 'builtins',
  __builtin__: 'builtins',
  _pydoc: 'pydoc',
  _pdb: 'pdb',
  _tracemalloc: 'tracemalloc',
  _code: 'code',
  _shutil: 'shutil',
  _pty: 'pty',
  _runpy: 'runpy',
  _pickle_compat: 'pickle',
  posixpath: 'os.path',
  ntpath: 'os.path',
  macpath: 'os.path',
  genericpath: 'os.path',
  cPickle: 'pickle',
  commands: 'subprocess',
};

/** A global as the unpickler would import it. */
export interface ResolvedName {
  /** As written in the pickle: `module.name`. */
  written: string;
  /** After `_compat_pickle` renames and twin folding: what the lists use. */
  canonical: string;
  /**
   * Every dotted path the import can reach, canonicalised: the whole name,
   * its `_compat_pickle` forms, and each attribute suffix (so that
   * `random._os.execv` also yields `os.execv`).
   */
  reachable: string[];
}

function foldTwin(segments: string[]): string[] {
  // Longest known prefix first (`os.path` before `os`).
  for (let k = Math.min(segments.length, 3); k >= 1; k--) {
    const head = segments.slice(0, k).join('.');
    const twin = TWINS[head] ?? IMPORT_MAPPING[head];
    if (twin) return [...twin.split('.'), ...segments.slice(k)];
  }
  return segments;
}

/**
 * Resolves a pickle's `(module, name)` pair to the names it can reach.
 * Pure and cheap; callers cache per distinct pair.
 */
export function resolveGlobal(module: string, name: string): ResolvedName {
  const written = `${module}.${name}`;
  const forms = new Set<string>([written]);
  const renamed = NAME_MAPPING[written];
  if (renamed) forms.add(renamed);
  else if (IMPORT_MAPPING[module])
    forms.add(`${IMPORT_MAPPING[module]}.${name}`);
  const reachable = new Set<string>();
  let canonical = '';
  for (const form of forms) {
    const segments = form.split('.');
    for (let i = 0; i < segments.length; i++) {
      const folded = foldTwin(segments.slice(i)).join('.');
      reachable.add(folded);
      // The last form is the renamed one Python loads at protocol < 3.
      if (i === 0) canonical = folded;
    }
  }
  return { written, canonical, reachable: [...reachable] };
}
