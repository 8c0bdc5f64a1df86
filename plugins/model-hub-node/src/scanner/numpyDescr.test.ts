import { ScanReport } from './report';
import { BufferSource } from './source';
import { analyzeSource } from './analyze';

// Protocol 2: GLOBAL posix.system, ('id',), REDUCE, STOP
const EVIL = Buffer.from(
  '\x80\x02cposix\nsystem\nq\x00X\x02\x00\x00\x00idq\x01\x85q\x02Rq\x03.',
  'latin1',
);

/** An .npy (v1.0) with the given descr literal, one element, then `data`. */
function npy(descr: string, data: Buffer): Buffer {
  let header = `{'descr': ${descr}, 'fortran_order': False, 'shape': (1,), }`;
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64);
  header += '\n';
  const head = Buffer.alloc(10);
  Buffer.from('\x93NUMPY\x01\x00', 'latin1').copy(head);
  head.writeUInt16LE(header.length, 8);
  return Buffer.concat([head, Buffer.from(header, 'latin1'), data]);
}

describe('NumPy descrs read as numpy.lib.format.descr_to_dtype reads them', () => {
  // descr_to_dtype iterates a non-string descr and unpacks each field as
  // (name, dtype): a two-character string "xO" is field x of dtype O, and
  // iterating a dict gives its keys.
  it.each(["['xO']", "{'xO': 1}", "[('a', ['xO'])]"])(
    'finds the pickle of the object field in descr %s',
    async descr => {
      const report = new ScanReport();
      await analyzeSource(new BufferSource(npy(descr, EVIL)), report, '');
      expect(report.findings.map(f => f.rule)).toContain(
        'pickle/dangerous-import',
      );
    },
  );
});
