import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanFile } from './scanFile';

/*
 * Files beside the weights that a loader runs: transformers imports the
 * Python named by auto_map with trust_remote_code, and Python's import
 * system runs compiled bytecode (an unchecked-hash __pycache__ entry even
 * instead of a reviewed .py) and native extension modules.
 */

const dir = mkdtempSync(join(tmpdir(), 'scan-shipped-code-'));
const write = (name: string, bytes: Buffer | string) => {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  return file;
};

describe('configs that name remote code', () => {
  it('reads a config.json past 16 MiB (padding hid its auto_map), or fails it', async () => {
    const padded = `{"auto_map": {"AutoModel": "modeling_x.X"},${' '.repeat(
      17 * 1024 * 1024,
    )}"model_type": "x"}`;
    const r = await scanFile(write('config.json', padded));
    const rules = r.findings.map(f => f.rule);
    expect(rules.includes('config/auto-map') || r.verdict === 'error').toBe(
      true,
    );
  });

  it('fails a tokenizer_config.json too large to read rather than passing it unread', async () => {
    const file = join(dir, 'big', 'tokenizer_config.json');
    mkdirSync(join(dir, 'big'));
    writeFileSync(
      file,
      `{"chat_template": "x", "pad": "${'a'.repeat(200 * 1024 * 1024)}"}`,
    );
    const r = await scanFile(file);
    expect(r.verdict).toBe('error');
    expect(r.findings.map(f => f.rule)).toContain('config/too-large');
  });
});

describe('sentence-transformers modules.json', () => {
  const modules = (...types: string[]) =>
    JSON.stringify(
      types.map((type, i) => ({ idx: i, name: `${i}`, path: `${i}`, type })),
    );

  it('flags a module type outside sentence_transformers (imported by name, remote code with trust_remote_code)', async () => {
    mkdirSync(join(dir, 'st'), { recursive: true });
    const r = await scanFile(
      write(
        'st/modules.json',
        modules('sentence_transformers.models.Transformer', 'runpy.run_path'),
      ),
    );
    const finding = r.findings.find(f => f.rule === 'config/auto-map');
    expect(finding?.message).toContain('runpy.run_path');
  });

  it('leaves the stock modules unflagged', async () => {
    mkdirSync(join(dir, 'st-plain'), { recursive: true });
    const r = await scanFile(
      write(
        'st-plain/modules.json',
        modules(
          'sentence_transformers.models.Transformer',
          'sentence_transformers.models.Pooling',
        ),
      ),
    );
    expect(r.findings).toEqual([]);
  });
});

describe('compiled and native code', () => {
  it.each([
    // CPython 3.11 magic, flags 0b11 (hash-based, unchecked): imported
    // from __pycache__ without looking at the .py a reviewer read
    ['__pycache__/modeling_x.cpython-311.pyc', 'a70d0d0a03000000'],
    ['modeling_x.pyc', 'a70d0d0a00000000'],
  ])('%s (Python bytecode) is code a loader runs', async (name, head) => {
    mkdirSync(join(dir, '__pycache__'), {
      recursive: true,
    });
    const r = await scanFile(
      write(name, Buffer.concat([Buffer.from(head, 'hex'), Buffer.alloc(64)])),
    );
    expect(r.findings.map(f => f.rule)).toContain('code/python-bytecode');
  });

  it.each([
    ['modeling_x.cpython-311-x86_64-linux-gnu.so', '7f454c46'],
    ['modeling_x.pyd', '4d5a9000'],
    ['libops.dylib', 'cffaedfe'],
    // an ELF shared object under an innocent name is still native code
    ['vocab.txt', '7f454c46'],
  ])('%s (native code) is code a loader runs', async (name, head) => {
    const r = await scanFile(
      write(name, Buffer.concat([Buffer.from(head, 'hex'), Buffer.alloc(64)])),
    );
    expect(r.findings.map(f => f.rule)).toContain('code/native-library');
  });
});
