import { choosePartSize } from './partSize';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

describe('choosePartSize', () => {
  it('keeps the parts in flight under 1/10 of a large file, so a cut costs little', () => {
    for (const size of [1 * GiB, 3 * GiB, 10 * GiB, 15 * GiB]) {
      for (const parallel of [1, 4, 8]) {
        const part = choosePartSize(size, parallel);
        // Only the 8 MiB floor may exceed the bound (small files, many parallel).
        expect(part === 8 * MiB || part * parallel <= size / 10).toBe(true);
        expect(part % MiB).toBe(0);
      }
    }
    // As large as that allows: fewer requests for the hub to authorize.
    expect(choosePartSize(1 * GiB, 4)).toBe(25 * MiB);
    expect(choosePartSize(2 * GiB, 4)).toBe(51 * MiB);
  });

  it('stays within 8–64 MiB: above the hub and S3 minimum, few parts for 150 GB', () => {
    expect(choosePartSize(10 * MiB, 4)).toBe(8 * MiB);
    expect(choosePartSize(150 * GiB, 4)).toBe(64 * MiB);
    expect(Math.ceil((150 * GiB) / choosePartSize(150 * GiB, 1))).toBeLessThan(
      10_000,
    );
  });
});
