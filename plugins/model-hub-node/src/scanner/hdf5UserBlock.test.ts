import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { scanFile } from './scanFile';

const DIR = resolve(__dirname, '../../fixtures/files/containers');

describe('HDF5 files with a user block', () => {
  jest.setTimeout(60_000);

  it('finds the superblock after a 512-byte user block, where the HDF5 library looks (0, 512, 1024, ...)', async () => {
    // tf.keras' load_model opens any file h5py.is_hdf5 accepts, whatever its name.
    const h5 = readFileSync(join(DIR, 'keras-legacy-lambda.h5'));
    const dir = mkdtempSync(join(tmpdir(), 'scan-h5-'));
    const file = join(dir, 'model.weights');
    writeFileSync(file, Buffer.concat([Buffer.alloc(512, 'U'), h5]));
    const r = await scanFile(file);
    expect(r.format).toBe('keras');
    expect(r.verdict).toBe('unsafe');
    expect(r.findings.map(f => f.rule)).toContain('keras/lambda-layer');
  });

  it('finds the HDF5 model behind a benign pickle in its user block (pickle.load reads one, h5py the other)', async () => {
    const h5 = readFileSync(join(DIR, 'keras-legacy-lambda.h5'));
    const pickle = Buffer.from('\x80\x02}q\x00.', 'latin1'); // {}
    const block = Buffer.alloc(512);
    pickle.copy(block);
    const dir = mkdtempSync(join(tmpdir(), 'scan-h5-'));
    const file = join(dir, 'model.h5');
    writeFileSync(file, Buffer.concat([block, h5]));
    const r = await scanFile(file);
    expect(r.verdict).toBe('unsafe');
    expect(r.findings.map(f => f.rule)).toEqual(
      expect.arrayContaining(['hdf5/polyglot', 'keras/lambda-layer']),
    );
  });
});
