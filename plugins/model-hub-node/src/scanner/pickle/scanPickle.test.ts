import { ScanReport } from '../report';
import { Cursor } from '../source';
import { DEFAULT_PICKLE_LIMITS, scanPickleStream } from './scanPickle';
import { classifyGlobal, isAllowedGlobal } from './globals';

async function scan(bytes: Buffer, limits = DEFAULT_PICKLE_LIMITS, chunk = 3) {
  // Feed in tiny chunks so every opcode argument straddles chunk borders.
  const cur = new Cursor(
    (async function* gen() {
      for (let i = 0; i < bytes.length; i += chunk)
        yield bytes.subarray(i, i + chunk);
    })(),
  );
  const report = new ScanReport();
  await scanPickleStream(cur, report, 'p', { limits });
  return report;
}

const part = (p: string | number[] | Buffer): Buffer => {
  if (typeof p === 'string') return Buffer.from(p, 'latin1');
  return Buffer.isBuffer(p) ? p : Buffer.from(p);
};
const b = (...parts: Array<string | number[] | Buffer>) =>
  Buffer.concat(parts.map(p => part(p)));
const u32 = (n: number) => {
  const x = Buffer.alloc(4);
  x.writeUInt32LE(n);
  return x;
};
const u64 = (n: number) => {
  const x = Buffer.alloc(8);
  x.writeBigUInt64LE(BigInt(n));
  return x;
};
const rules = (r: ScanReport) => r.findings.map(f => f.rule);

describe('scanPickleStream', () => {
  it('walks protocol 5 opcodes (FRAME, BINUNICODE8, BYTEARRAY8, buffers) to STOP', async () => {
    const body = b(
      [0x95],
      u64(0), // FRAME (length not enforced)
      [0x8d],
      u64(3),
      'abc', // BINUNICODE8
      [0x96],
      u64(4),
      'data', // BYTEARRAY8
      [0x8e],
      u64(2),
      'xy', // BINBYTES8
      [0x97, 0x98], // NEXT_BUFFER, READONLY_BUFFER
      [0x8f, 0x28, 0x4b, 1, 0x90], // EMPTY_SET, MARK, BININT1, ADDITEMS
      [0x28, 0x88, 0x89, 0x91], // MARK, NEWTRUE, NEWFALSE, FROZENSET
      [0x87], // TUPLE3
      '.',
    );
    const r = await scan(b([0x80, 5], body));
    expect(r.findings).toEqual([]);
    expect(r.parsedFully).toBe(true);
  });

  it('resolves STACK_GLOBAL operands memoized with LONG_BINPUT and fetched with LONG_BINGET', async () => {
    const r = await scan(
      b(
        [0x80, 4],
        [0x8c, 10],
        'subprocess',
        'r',
        u32(7), // LONG_BINPUT 7
        [0x8c, 5],
        'Popen',
        'r',
        u32(9),
        '0',
        '0', // POP POP
        'j',
        u32(7),
        'j',
        u32(9), // LONG_BINGET
        [0x93],
        ')',
        [0x81],
        '.', // STACK_GLOBAL, EMPTY_TUPLE, NEWOBJ, STOP
      ),
    );
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({
      severity: 'critical',
      rule: 'pickle/dangerous-import',
    });
    expect(r.findings[0].message).toContain(
      'subprocess.Popen via STACK_GLOBAL and calls it',
    );
  });

  it('resolves strings stored with text PUT and fetched with GET (protocol 0)', async () => {
    const r = await scan(
      b("S'os'\np0\n0S'system'\np1\n0g0\ng1\n", [0x93], '.'),
    );
    expect(r.findings.map(f => f.message)).toEqual([
      expect.stringContaining('os.system via STACK_GLOBAL'),
    ]);
  });

  it('flags OBJ and NEWOBJ_EX targets', async () => {
    const obj = await scan(b("(cbuiltins\nexec\nS'1'\no."));
    expect(obj.findings[0].message).toContain(
      'builtins.exec via GLOBAL and calls it',
    );
    const ex = await scan(b([0x80, 4], 'cwebbrowser\nopen\n)}', [0x92], '.'));
    expect(ex.findings[0]).toMatchObject({
      severity: 'high',
      rule: 'pickle/dangerous-import',
    });
  });

  it('reports copyreg extension codes (EXT1/EXT2/EXT4)', async () => {
    const r = await scan(
      b([0x80, 2, 0x82, 1, 0x83, 2, 0, 0x84], u32(3), [0x87], '.'),
    );
    expect(rules(r)).toEqual([
      'pickle/extension-code',
      'pickle/extension-code',
      'pickle/extension-code',
    ]);
    expect(r.parsedFully).toBe(true);
  });

  it('treats a GET of an unknown memo key as malformed', async () => {
    const r = await scan(b([0x80, 2, 0x68, 4], '.'));
    expect(rules(r)).toEqual(['pickle/malformed']);
    expect(r.parsedFully).toBe(false);
  });

  it('treats stack underflow as malformed', async () => {
    const r = await scan(b([0x80, 2], 'R.'));
    expect(rules(r)).toEqual(['pickle/malformed']);
  });

  it('rejects protocols newer than 5', async () => {
    const r = await scan(b([0x80, 6], 'N.'));
    expect(rules(r)).toEqual(['pickle/unsupported-protocol']);
  });

  it('bounds opcode count, memo size and stack depth', async () => {
    const many = b([0x80, 2], Buffer.alloc(1000, 'N'), '.');
    const r1 = await scan(many, { ...DEFAULT_PICKLE_LIMITS, maxOpcodes: 100 });
    expect(rules(r1)).toEqual(['pickle/limit-exceeded']);
    const r2 = await scan(many, { ...DEFAULT_PICKLE_LIMITS, maxStack: 50 });
    expect(rules(r2)).toEqual(['pickle/limit-exceeded']);
    const memo = b([0x80, 4, 0x4e], Buffer.alloc(200, 0x94), '.');
    const r3 = await scan(memo, { ...DEFAULT_PICKLE_LIMITS, maxMemo: 10 });
    expect(rules(r3)).toEqual(['pickle/limit-exceeded']);
    expect(r3.parsedFully).toBe(false);
  });

  it('skips large payloads without buffering them', async () => {
    const big = Buffer.alloc(5 * 1024 * 1024, 1);
    const r = await scan(
      b([0x80, 4, 0x8e], u64(big.length), big, '.'),
      DEFAULT_PICKLE_LIMITS,
      64 * 1024,
    );
    expect(r.findings).toEqual([]);
  });

  it('still reports imports seen before a truncation', async () => {
    const r = await scan(b([0x80, 2], 'cposix\nsystem\nX', u32(100), 'abc'));
    expect(rules(r).sort()).toEqual([
      'pickle/dangerous-import',
      'pickle/truncated',
    ]);
  });

  it('notes trailing bytes that are not a pickle', async () => {
    const r = await scan(b([0x80, 2], 'N.', 'hello'));
    expect(rules(r)).toEqual(['pickle/trailing-data']);
    expect(r.parsedFully).toBe(true);
  });

  it('reports an empty stream as an error', async () => {
    const r = await scan(Buffer.alloc(0));
    expect(rules(r)).toEqual(['pickle/empty']);
    expect(r.parsedFully).toBe(false);
  });
});

describe('scanPickleStream in sniff mode', () => {
  const sniff = (bytes: Buffer) =>
    scanPickleStream(
      new Cursor(
        (async function* gen() {
          yield bytes;
        })(),
      ),
      new ScanReport(),
      'x',
      { sniff: true },
    );
  it('recognises PROTO headers and valid protocol 0 streams', async () => {
    expect(await sniff(b([0x80, 3], 'N.'))).toBe(true);
    expect(await sniff(b('(lp0\nI1\na.'))).toBe(true);
    expect(await sniff(b('cos\nsystem\n'))).toBe(true);
  });
  it('recognises header-less pickles that start with protocol 4 opcodes', async () => {
    // pickle.loads accepts this without a PROTO opcode
    expect(
      await sniff(
        b(
          [0x8c, 2],
          'os',
          [0x8c, 6],
          'system',
          [0x93, 0x8c, 2],
          'id',
          [0x85],
          'R.',
        ),
      ),
    ).toBe(true);
  });
  it('accepts every integer spelling int(x, 0) accepts', async () => {
    const r = await scan(b('(I0x1f\nL0o17L\nI-0b101\nF1_000.5\nt.'));
    expect(r.findings).toEqual([]);
    expect(r.parsedFully).toBe(true);
  });
  it('rejects text that merely starts with an opcode letter', async () => {
    expect(await sniff(b('Lorem ipsum dolor sit amet\n'))).toBe(false);
    expect(await sniff(b('Some words\n'))).toBe(false);
    expect(await sniff(b('hello'))).toBe(false);
  });
});

describe('classifyGlobal', () => {
  it.each([
    ['os', 'system', 'critical'],
    ['posix', 'system', 'critical'],
    ['nt', 'system', 'critical'],
    ['subprocess', 'check_output', 'critical'],
    ['sys', 'modules', 'critical'],
    ['socket', 'socket', 'critical'],
    ['runpy', '_run_code', 'critical'],
    ['pty', 'spawn', 'critical'],
    ['shutil', 'rmtree', 'critical'],
    ['builtins', 'getattr', 'critical'],
    ['__builtin__', 'eval', 'critical'],
    ['builtins', '__import__', 'critical'],
    ['builtins', 'open', 'high'],
    ['functools', 'partial', 'critical'],
    ['operator', 'attrgetter', 'critical'],
    ['operator', 'methodcaller', 'critical'],
    ['operator', 'itemgetter', 'high'],
    ['pickle', 'loads', 'critical'],
    ['_pickle', 'loads', 'critical'],
    ['pdb', 'run', 'critical'],
    ['bdb', 'Bdb', 'critical'],
    ['ctypes', 'CDLL', 'critical'],
    ['importlib', 'import_module', 'critical'],
    ['pkgutil', 'resolve_name', 'critical'],
    ['urllib.request', 'urlopen', 'high'],
    ['requests.api', 'get', 'high'],
    ['http.client', 'HTTPSConnection', 'high'],
    ['aiohttp.client', 'ClientSession', 'high'],
    ['webbrowser', 'open', 'high'],
    ['torch.hub', 'load', 'critical'],
    ['torch', 'load', 'high'],
    ['types', 'CodeType', 'critical'],
    ['types', 'FunctionType', 'critical'],
    ['code', 'InteractiveInterpreter', 'critical'],
    ['asyncio', 'subprocess', 'critical'],
    ['multiprocessing', 'Process', 'critical'],
    ['numpy.testing._private.utils', 'runstring', 'critical'],
    ['torch._inductor.codecache', 'compile_file', 'critical'],
    ['torch', 'serialization.os.system', 'critical'],
  ])('%s.%s is %s', (module, name, severity) => {
    expect(classifyGlobal(module, name)).toMatchObject({
      severity,
      rule: 'pickle/dangerous-import',
    });
  });

  it.each([
    ['torch._utils', '_rebuild_tensor_v2'],
    ['torch._utils', '_rebuild_parameter'],
    ['torch', 'FloatStorage'],
    ['torch', 'BFloat16Storage'],
    ['torch', 'bfloat16'],
    ['torch', 'Size'],
    ['collections', 'OrderedDict'],
    ['numpy.core.multiarray', '_reconstruct'],
    ['numpy', 'ndarray'],
    ['numpy', 'dtype'],
    ['_codecs', 'encode'],
  ])('%s.%s is allowed', (module, name) => {
    expect(isAllowedGlobal(module, name)).toBe(true);
    expect(classifyGlobal(module, name).severity).toBeUndefined();
  });

  it('treats globals outside the allowlist as high (not known to be safe)', () => {
    expect(classifyGlobal('mylib.models', 'build')).toMatchObject({
      severity: 'high',
      rule: 'pickle/unknown-import',
    });
  });
});
