import { findPathCollision, firstPathCollision } from './fileCollisions';

describe('firstPathCollision', () => {
  it('finds what findPathCollision finds, in one pass', () => {
    const cases: Array<[string[], [string, string] | undefined]> = [
      [['a.bin', 'b.bin', 'dir/c.bin'], undefined],
      [
        ['a.bin', 'a.bin'],
        ['a.bin', 'a.bin'],
      ],
      [
        ['README.md', 'readme.MD'],
        ['README.md', 'readme.MD'],
      ],
      [
        ['straße.txt', 'STRASSE.txt'],
        ['straße.txt', 'STRASSE.txt'],
      ],
      [
        ['café', 'cafe\u0301'],
        ['café', 'cafe\u0301'],
      ],
      [
        ['a', 'a/b'],
        ['a', 'a/b'],
      ],
      [
        ['a/b/c', 'A/B'],
        ['a/b/c', 'A/B'],
      ],
      [['x/1', 'x/2', 'y'], undefined],
    ];
    for (const [paths, expected] of cases) {
      expect(firstPathCollision(paths)).toEqual(expected);
      // The pairwise rule agrees on whether the list collides.
      const pairwise = paths.some((p, i) =>
        i === 0
          ? false
          : paths.slice(0, i).includes(p) ||
            findPathCollision(p, paths.slice(0, i)) !== undefined,
      );
      expect(pairwise).toBe(expected !== undefined);
    }
  });
});
