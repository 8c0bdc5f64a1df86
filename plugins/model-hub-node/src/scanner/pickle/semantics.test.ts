import { ScanReport, verdictOf } from '../report';
import { Cursor } from '../source';
import { scanPickleStream } from './scanPickle';
import { classifyGlobal, isAllowedGlobal } from './globals';
import { resolveGlobal } from './names';

async function scan(bytes: Buffer, chunk = 7, trustedGlobals?: string[]) {
  const cur = new Cursor(
    (async function* gen() {
      for (let i = 0; i < bytes.length; i += chunk)
        yield bytes.subarray(i, i + chunk);
    })(),
  );
  const report = new ScanReport();
  const isPickle = await scanPickleStream(cur, report, 'p', {
    sniff: true,
    trustedGlobals,
  });
  return {
    isPickle,
    report,
    verdict: verdictOf(report.findings, report.parsedFully),
    rules: report.findings.map(f => f.rule).sort(),
  };
}

const b = (...parts: Array<string | number[] | Buffer>) =>
  Buffer.concat(
    parts.map(p => {
      if (typeof p === 'string') return Buffer.from(p, 'latin1');
      return Buffer.isBuffer(p) ? p : Buffer.from(p);
    }),
  );
const su = (s: string) => b([0x8c, s.length], s); // SHORT_BINUNICODE
const sg = (m: string, n: string) => b(su(m), su(n), [0x93]); // STACK_GLOBAL
const P4 = [0x80, 4];

describe('allowlist semantics', () => {
  it('accepts a trusted class rebuilt with NEWOBJ + BUILD', async () => {
    const r = await scan(
      b(P4, sg('sklearn.svm._classes', 'SVC'), ')', [0x81], '}', 'b.'),
    );
    expect(r.rules).toEqual([]);
    expect(r.verdict).toBe('safe');
  });

  it('rejects the same class called through REDUCE with arguments', async () => {
    const r = await scan(
      b(P4, sg('sklearn.svm._classes', 'SVC'), su('x'), [0x85], 'R.'),
    );
    expect(r.rules).toEqual(['pickle/class-misuse']);
    expect(r.report.findings[0].message).toContain(
      'sklearn.svm._classes.SVC is a trusted class but is called through REDUCE',
    );
    expect(r.verdict).toBe('unsafe');
  });

  it('rejects a trusted class called through INST or OBJ (protocol 0/1)', async () => {
    const inst = await scan(b('(isklearn.svm._classes\nSVC\n.'));
    expect(inst.rules).toEqual(['pickle/class-misuse']);
    const obj = await scan(b('(csklearn.svm._classes\nSVC\no.'));
    expect(obj.rules).toEqual(['pickle/class-misuse']);
  });

  it('accepts copyreg._reconstructor(cls, object, None) and copyreg.__newobj__(cls)', async () => {
    const recon = await scan(
      b(
        'ccopy_reg\n_reconstructor\n(csklearn.svm._classes\nSVC\nc__builtin__\nobject\nNtR}b.',
      ),
    );
    expect(recon.rules).toEqual([]);
    const newobj = await scan(
      b(
        P4,
        sg('copyreg', '__newobj__'),
        sg('xgboost.core', 'Booster'),
        [0x85],
        'R.',
      ),
    );
    expect(newobj.rules).toEqual([]);
  });

  it('rejects a reconstructor whose base type is not an imported global', async () => {
    const r = await scan(
      b(
        'ccopy_reg\n_reconstructor\n(csklearn.svm._classes\nSVC\n',
        'c__builtin__\nset\n)RNtR.',
      ),
    );
    expect(r.rules).toContain('pickle/uncheckable-call');
  });

  it('keeps globals inside tuples through the memo', async () => {
    // the class tuple is memoized, fetched back with BINGET and then used
    const r = await scan(
      b(
        P4,
        sg('copyreg', '__newobj__'),
        sg('sklearn.svm._classes', 'SVC'),
        [0x85, 0x94, 0x30], // TUPLE1 MEMOIZE POP
        [0x68, 0], // BINGET 0
        'R.',
      ),
    );
    expect(r.rules).toEqual([]);
    const misuse = await scan(
      b(
        P4,
        sg('numpy.random._pickle', '__randomstate_ctor'),
        su('MT19937'),
        sg('sklearn.svm._classes', 'SVC'),
        [0x86, 0x94, 0x30, 0x68, 0],
        'R.',
      ),
    );
    expect(misuse.rules).toEqual(['pickle/class-misuse']);
  });

  it('accepts numpy 2 BitGenerator classes given to the numpy.random ctors, and nothing else there', async () => {
    const ok = await scan(
      b(
        P4,
        sg('numpy.random._pickle', '__bit_generator_ctor'),
        sg('numpy.random._mt19937', 'MT19937'),
        [0x85],
        'R.',
      ),
    );
    expect(ok.rules).toEqual([]);
    const bad = await scan(
      b(
        P4,
        sg('numpy.random._pickle', '__bit_generator_ctor'),
        sg('sklearn.svm._classes', 'SVC'),
        [0x85],
        'R.',
      ),
    );
    expect(bad.rules).toEqual(['pickle/class-misuse']);
  });

  it('flags calls of values that are not imported globals', async () => {
    const r = await scan(b(P4, sg('collections', 'OrderedDict'), ')R', ')R.'));
    expect(r.rules).toEqual(['pickle/uncheckable-call']);
  });

  it('flags BUILD, SETITEM(S) and APPEND(S) applied to an imported global itself', async () => {
    for (const tail of ['}b', '(NNu', 'NNs', 'Na', '(]e']) {
      const r = await scan(b(P4, sg('collections', 'OrderedDict'), tail, '.'));
      expect(r.rules).toEqual(['pickle/global-mutated']);
    }
  });

  it('makes a pickle unsafe when it merely imports a global outside the allowlist', async () => {
    const r = await scan(b(P4, sg('mylib', 'Thing'), '0N.'));
    expect(r.rules).toEqual(['pickle/unknown-import']);
    expect(r.report.findings[0].severity).toBe('high');
  });

  it('treats copyreg extension codes as high (unverifiable)', async () => {
    const r = await scan(b([0x80, 2, 0x82, 1], ')R.'));
    expect(r.report.findings.map(f => f.severity)).toEqual(['high']);
  });
});

describe('streaming to the end', () => {
  it('catches an import after a header-less first argument of 1 MiB', async () => {
    const big = Buffer.alloc(1024 * 1024, 0x41);
    const len = Buffer.alloc(4);
    len.writeUInt32LE(big.length);
    const r = await scan(b('X', len, big, '0cos\nsystem\n.'), 64 * 1024);
    expect(r.isPickle).toBe(true);
    expect(r.rules).toEqual(['pickle/dangerous-import']);
  });

  it('catches a dangerous import followed by garbage (Python imports it before failing)', async () => {
    const r = await scan(b('cbuiltins\nexec\n', [0xff]));
    expect(r.isPickle).toBe(true);
    expect(r.rules).toEqual([
      'pickle/dangerous-import',
      'pickle/unknown-opcode',
    ]);
  });

  it('catches an import even when the pickle is malformed afterwards', async () => {
    const r = await scan(b('cposix\nsystem\n(S"id"\ntR', [0xff]));
    expect(r.isPickle).toBe(true);
    expect(r.rules).toEqual([
      'pickle/dangerous-import',
      'pickle/unknown-opcode',
    ]);
  });

  it('leaves text that starts with an opcode letter alone', async () => {
    for (const text of [
      'This model card describes ...\n',
      'MIT License\n\nCopyright (c)',
      'NOTICE\nThis product includes',
      'Licensed under the Apache License',
      'cython\nnumpy\n>=1.26\n',
    ]) {
      const r = await scan(b(text));
      expect(r.isPickle).toBe(false);
      expect(r.report.findings).toEqual([]);
    }
  });

  it('tracks millions of memo entries without a memo limit', async () => {
    const n = 2_000_000;
    const body = Buffer.alloc(n * 2);
    for (let i = 0; i < n; i++) {
      body[2 * i] = 0x4e; // NONE
      body[2 * i + 1] = 0x94; // MEMOIZE
    }
    // fetch the last entry with LONG_BINGET
    const get = Buffer.alloc(5);
    get[0] = 0x6a;
    get.writeUInt32LE(n - 1, 1);
    const r = await scan(b(P4, '(', body, get, 't.'), 1 << 20);
    expect(r.rules).toEqual([]);
    expect(r.verdict).toBe('safe');
  });
});

describe('name resolution', () => {
  it.each([
    ['random', '_os.execv', 'os.execv', 'critical'],
    ['_operator', 'attrgetter', 'operator.attrgetter', 'critical'],
    ['_functools', 'partial', 'functools.partial', 'critical'],
    ['xmlrpclib', 'ServerProxy', 'xmlrpc.client.ServerProxy', 'high'],
    ['cPickle', 'loads', 'pickle.loads', 'critical'],
    ['commands', 'getoutput', 'subprocess.getoutput', 'critical'],
    ['__builtin__', 'reduce', 'functools.reduce', 'high'],
    ['_posixsubprocess', 'fork_exec', 'subprocess.fork_exec', 'critical'],
    ['nt', 'system', 'os.system', 'critical'],
    ['numpy', 'ctypeslib.ctypes.CDLL', 'ctypes', 'critical'],
    ['sklearn.utils', 'fixes.os.system', 'os', 'critical'],
    ['builtins', '__dict__.get', '__dict__', 'critical'],
    ['collections', 'OrderedDict.__init__.__globals__', '__', 'critical'],
  ])('%s + %s reaches %s (%s)', (module, name, reached, severity) => {
    const c = classifyGlobal(module, name);
    expect(c.severity).toBe(severity);
    expect(c.reason).toContain(reached);
  });

  it('folds Python 2 names and C twins onto allowlisted names', () => {
    expect(resolveGlobal('__builtin__', 'set').canonical).toBe('builtins.set');
    expect(resolveGlobal('copy_reg', '_reconstructor').canonical).toBe(
      'copyreg._reconstructor',
    );
    expect(isAllowedGlobal('__builtin__', 'set')).toBe(true);
    expect(isAllowedGlobal('_codecs', 'encode')).toBe(true);
    expect(isAllowedGlobal('numpy._core.multiarray', '_reconstruct')).toBe(
      true,
    );
    expect(isAllowedGlobal('numpy', 'float64')).toBe(true);
  });

  it('gives trusted ML libraries classes only, not their functions', () => {
    expect(isAllowedGlobal('sklearn.pipeline', 'Pipeline')).toBe(true);
    expect(isAllowedGlobal('sklearn.utils', 'load')).toBe(false);
    expect(isAllowedGlobal('sklearn.externals.joblib', 'load')).toBe(false);
    expect(classifyGlobal('sklearn.externals', 'joblib.load').severity).toBe(
      'critical',
    );
    expect(isAllowedGlobal('torch.storage', '_load_from_bytes')).toBe(false);
  });
});
