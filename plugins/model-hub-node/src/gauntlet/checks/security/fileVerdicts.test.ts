import { runGauntletCheck } from '../../check';
import {
  checkContext,
  checkFile,
  MALICIOUS_PICKLE,
  model,
  safetensors,
} from '../testUtils';
import { claimsWeightFormat, describeVerdicts } from './fileVerdicts';
import { securityCheck } from './securityCheck';

/** Random-looking bytes no scanner format starts with. */
function opaque(size: number): Buffer {
  const b = Buffer.alloc(size);
  let x = 12345;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = (x >>> 16) & 0xff;
  }
  b[0] = 0x7f; // not a pickle opcode, zip, numpy, gguf or safetensors header
  b[1] = 0x00;
  return b;
}

async function run(
  files: Awaited<ReturnType<typeof checkFile>>[],
  tier: 'official' | 'community',
  config = {},
) {
  return runGauntletCheck(
    securityCheck,
    checkContext({ entity: model(), files, tier, config }),
  );
}

describe('security check: files the scanner could not vouch for', () => {
  it('counts verdicts honestly instead of calling everything scanned safe', async () => {
    const files = [
      await checkFile('model.safetensors', safetensors([1, 2])),
      await checkFile('config.json', Buffer.from('{"hidden_size": 8}')),
      await checkFile('README.md', Buffer.from('# A model\n')),
    ];
    expect(files.map(f => f.scan.verdict)).toEqual([
      'safe',
      'unsupported',
      'unsupported',
    ]);
    const result = await run(files, 'official');
    expect(result.status).toBe('pass');
    expect(result.summary).toMatch(/^1 safe, 2 not a known format/);
    expect(result.summary).not.toContain('scanned safe');
    expect(result.evidence.verdicts).toBe('1 safe, 2 not a known format');
  });

  it('fails official and warns community for an unrecognised file named like weights, naming it', async () => {
    const files = [
      await checkFile('model.safetensors', safetensors([1])),
      await checkFile('extra/adapter.BIN', Buffer.from('not really weights')),
    ];
    // Scanner 2: a name that claims a model format with content in no
    // known format is an error (format/unrecognized), never unsupported.
    expect(files[1].scan.verdict).toBe('error');
    const official = await run(files, 'official');
    expect(official.status).toBe('fail');
    expect(official.summary).toContain(
      'extra/adapter.BIN could not be scanned (format/unrecognized',
    );
    const community = await run(files, 'community');
    expect(community.status).toBe('warn');
    expect(community.summary).toContain('extra/adapter.BIN');
  });

  it('treats a large unrecognised binary as weights by size, but not large text', async () => {
    const files = [
      await checkFile('model.safetensors', safetensors([1])),
      await checkFile('blob.dat', opaque(2048)),
      await checkFile(
        'tokenizer.json',
        Buffer.from(`{"v":"${'a'.repeat(4000)}"}`),
      ),
    ];
    expect(files[1].scan.verdict).toBe('unsupported');
    const small = {
      modelHub: { gauntlet: { security: { unrecognizedWeightBytes: 1024 } } },
    };
    const official = await run(files, 'official', small);
    expect(official.status).toBe('fail');
    expect(official.reason).toContain('blob.dat is 2048 bytes of binary data');
    expect(official.reason).not.toContain('tokenizer.json');
    // Below the (default 1 MiB) threshold the same file is only counted.
    const defaults = await run(files, 'official');
    expect(defaults.status).toBe('pass');
    expect(defaults.summary).toMatch(/^1 safe, 2 not a known format/);
  });

  it('names every error file and never hides an unsafe one behind the count', async () => {
    const truncated = safetensors([1, 2, 3, 4]).subarray(0, 40);
    const files = [
      await checkFile('model.safetensors', safetensors([1])),
      await checkFile('a.safetensors', truncated),
      await checkFile('b.safetensors', truncated),
      await checkFile('tokenizer.pkl', MALICIOUS_PICKLE),
    ];
    const community = await run(files, 'community');
    expect(community.status).toBe('fail');
    expect(community.reason).toContain('a.safetensors could not be scanned');
    expect(community.reason).toContain('b.safetensors could not be scanned');
    expect(community.reason).toContain('tokenizer.pkl is unsafe');
    expect(community.metrics).toMatchObject({
      unsafe_files: 1,
      error_files: 2,
    });
    expect(describeVerdicts(files)).toBe(
      '1 safe, 1 unsafe, 2 could not be scanned',
    );
  });

  it('recognises every model-format extension regardless of case', () => {
    for (const name of [
      'm.pkl',
      'm.PICKLE',
      'x/m.pt',
      'm.pth',
      'pytorch_model.bin',
      'm.ckpt',
      'm.joblib',
      'm.npy',
      'm.npz',
      'm.safetensors',
      'm.gguf',
      'm.keras',
      'm.h5',
      'm.hdf5',
      'm.onnx',
      'flax_model.msgpack',
    ]) {
      expect(claimsWeightFormat(name)).toBe(true);
    }
    for (const name of [
      'config.json',
      'README.md',
      'model.bin.txt',
      'binary',
    ]) {
      expect(claimsWeightFormat(name)).toBe(false);
    }
  });

  it('rejects a malformed size threshold with the key name', async () => {
    const files = [await checkFile('blob.dat', opaque(10))];
    const result = await run(files, 'official', {
      modelHub: { gauntlet: { security: { unrecognizedWeightBytes: -1 } } },
    });
    expect(result.status).toBe('error');
    expect(result.summary).toContain('unrecognizedWeightBytes');
  });

  it('fails official and warns community for code shipped with the model (Python source, auto_map)', async () => {
    const files = [
      await checkFile('model.safetensors', safetensors([1])),
      await checkFile('modeling_custom.py', Buffer.from('import os\n')),
      await checkFile(
        'config.json',
        Buffer.from('{"auto_map": {"AutoModel": "modeling_custom.Net"}}'),
      ),
    ];
    const official = await run(files, 'official');
    expect(official.status).toBe('fail');
    const messages = official.summary;
    expect(messages).toMatch(
      /modeling_custom\.py ships code .*code\/python-source/,
    );
    expect(messages).toMatch(/config\.json ships code .*config\/auto-map/);
    const community = await run(files, 'community');
    expect(community.status).toBe('warn');
  });

  it('fails official and warns community for compiled Python and native libraries shipped with the model', async () => {
    const files = [
      await checkFile('model.safetensors', safetensors([1])),
      await checkFile(
        '__pycache__/modeling_custom.cpython-311.pyc',
        Buffer.concat([Buffer.from('a70d0d0a03000000', 'hex'), opaque(64)]),
      ),
      await checkFile(
        'libops.so',
        Buffer.concat([Buffer.from('7f454c46', 'hex'), opaque(64)]),
      ),
    ];
    const official = await run(files, 'official');
    expect(official.status).toBe('fail');
    expect(official.summary).toMatch(
      /modeling_custom\.cpython-311\.pyc ships code .*code\/python-bytecode/,
    );
    expect(official.summary).toMatch(
      /libops\.so ships code .*code\/native-library/,
    );
    const community = await run(files, 'community');
    expect(community.status).toBe('warn');
  });
});
