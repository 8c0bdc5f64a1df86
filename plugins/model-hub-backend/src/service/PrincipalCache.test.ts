import { mockCredentials } from '@backstage/backend-test-utils';
import { PrincipalCache } from './PrincipalCache';

describe('PrincipalCache', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => {
    now = 1_000_000;
  });

  it('reuses a summary within the TTL and recomputes it after', async () => {
    const cache = new PrincipalCache<number>({ ttlMs: 10_000, now: clock });
    const mia = mockCredentials.user('user:default/mia');
    let calls = 0;
    const compute = async () => ++calls;
    expect(await cache.get(mia, { task: ['a'] }, compute)).toBe(1);
    now += 9_999;
    expect(await cache.get(mia, { task: ['a'] }, compute)).toBe(1);
    now += 1;
    expect(await cache.get(mia, { task: ['a'] }, compute)).toBe(2);
  });

  it('peeks only at a fresh value of the same caller and filter, computing nothing', async () => {
    const cache = new PrincipalCache<number>({ ttlMs: 10_000, now: clock });
    const mia = mockCredentials.user('user:default/mia');
    const alice = mockCredentials.user('user:default/alice');
    expect(cache.peek(mia, { task: ['a'] })).toBeUndefined();
    await cache.get(mia, { task: ['a'] }, async () => 7);
    expect(await cache.peek(mia, { task: ['a'] })).toBe(7);
    expect(cache.peek(alice, { task: ['a'] })).toBeUndefined();
    expect(cache.peek(mia, { task: ['b'] })).toBeUndefined();
    now += 10_000;
    expect(cache.peek(mia, { task: ['a'] })).toBeUndefined();
    expect(
      new PrincipalCache<number>({ ttlMs: 0 }).peek(mia, { task: ['a'] }),
    ).toBeUndefined();
  });

  it('renews a value past refreshAfterMs once, in the background, keeping the old one meanwhile and on failure', async () => {
    const cache = new PrincipalCache<number>({
      ttlMs: 10_000,
      refreshAfterMs: 5_000,
      now: clock,
    });
    const mia = mockCredentials.user('user:default/mia');
    const key = { task: ['a'] };
    let calls = 0;
    let fail = false;
    const compute = async () => {
      calls++;
      if (fail) throw new Error('catalog unavailable');
      return 100 + calls;
    };
    expect(cache.peek(mia, key, compute)).toBeUndefined();
    await cache.get(mia, key, async () => 1);
    now += 4_999;
    expect(await cache.peek(mia, key, compute)).toBe(1);
    expect(calls).toBe(0);

    now += 1;
    fail = true;
    const both = [cache.peek(mia, key, compute), cache.peek(mia, key, compute)];
    expect(await Promise.all(both)).toEqual([1, 1]);
    expect(calls).toBe(1);
    await new Promise(r => setImmediate(r));

    fail = false;
    expect(await cache.peek(mia, key, compute)).toBe(1);
    expect(calls).toBe(2);
    await new Promise(r => setImmediate(r));
    // Dated when the renewal started (t0 + 5 s): fresh until t0 + 15 s.
    now += 9_999;
    expect(await cache.peek(mia, key)).toBe(102);
    now += 1;
    expect(cache.peek(mia, key)).toBeUndefined();
  });

  it('never shares a summary between callers or filters', async () => {
    const cache = new PrincipalCache<string>({ ttlMs: 10_000, now: clock });
    const key = (c: any, f: unknown) =>
      cache.get(c, f, async () => JSON.stringify([c.principal, f]));
    const mia = mockCredentials.user('user:default/mia');
    const alice = mockCredentials.user('user:default/alice');
    // A service whose subject spells a user ref still gets its own entry.
    const service = mockCredentials.service('user:default/mia');
    const a = await key(mia, { task: ['x'] });
    expect(await key(alice, { task: ['x'] })).not.toBe(a);
    expect(await key(service, { task: ['x'] })).not.toBe(a);
    expect(await key(mia, { task: ['y'] })).not.toBe(a);
    expect(await key(mia, { task: ['x'], q: 'churn' })).not.toBe(a);
    // Key order does not matter; values do.
    const b = await key(mia, { q: 'z', task: ['x'] });
    expect(await key(mia, { task: ['x'], q: 'z' })).toBe(b);
  });

  it('shares one computation among concurrent identical requests', async () => {
    const cache = new PrincipalCache<number>({ ttlMs: 10_000, now: clock });
    const mia = mockCredentials.user('user:default/mia');
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>(r => {
      release = r;
    });
    const compute = async () => {
      calls++;
      await gate;
      return calls;
    };
    const all = Array.from({ length: 50 }, () => cache.get(mia, {}, compute));
    release();
    expect(new Set(await Promise.all(all))).toEqual(new Set([1]));
    expect(calls).toBe(1);
  });

  it('does not keep a failure', async () => {
    const cache = new PrincipalCache<number>({ ttlMs: 10_000, now: clock });
    const mia = mockCredentials.user('user:default/mia');
    await expect(
      cache.get(mia, {}, async () => {
        throw new Error('catalog down');
      }),
    ).rejects.toThrow('catalog down');
    expect(await cache.get(mia, {}, async () => 7)).toBe(7);
  });

  it('does not keep a value that keep() rejects', async () => {
    const cache = new PrincipalCache<number | undefined>({
      ttlMs: 10_000,
      now: clock,
    });
    const mia = mockCredentials.user('user:default/mia');
    const found = (v: number | undefined) => v !== undefined;
    expect(await cache.get(mia, 'm', async () => undefined, found)).toBe(
      undefined,
    );
    expect(await cache.get(mia, 'm', async () => 1, found)).toBe(1);
    expect(await cache.get(mia, 'm', async () => 2, found)).toBe(1);
  });

  it('is off with a TTL of 0 and bounded in size', async () => {
    const off = new PrincipalCache<number>({ ttlMs: 0, now: clock });
    const mia = mockCredentials.user('user:default/mia');
    let calls = 0;
    await off.get(mia, {}, async () => ++calls);
    await off.get(mia, {}, async () => ++calls);
    expect(calls).toBe(2);

    const small = new PrincipalCache<number>({
      ttlMs: 10_000,
      maxEntries: 2,
      now: clock,
    });
    let n = 0;
    const compute = async () => ++n;
    await small.get(mia, { q: '1' }, compute);
    await small.get(mia, { q: '2' }, compute);
    await small.get(mia, { q: '3' }, compute); // evicts q=1
    expect(await small.get(mia, { q: '1' }, compute)).toBe(4);
    expect(await small.get(mia, { q: '3' }, compute)).toBe(3);
  });

  it('refreshes a value read late in its life in the background: no reader waits, none finds it expired', async () => {
    const cache = new PrincipalCache<number>({
      ttlMs: 10_000,
      refreshAfterMs: 8_000,
      now: clock,
    });
    const mia = mockCredentials.user('user:default/mia');
    let calls = 0;
    let release: () => void = () => {};
    const compute = async () => {
      const n = ++calls;
      if (n === 2) await new Promise<void>(r => (release = r));
      return n;
    };
    expect(await cache.get(mia, 'm', compute)).toBe(1);
    now += 7_999;
    expect(await cache.get(mia, 'm', compute)).toBe(1);
    expect(calls).toBe(1);
    now += 1;
    // Answered with the current value while the refresh is pending.
    expect(await cache.get(mia, 'm', compute)).toBe(1);
    expect(await cache.get(mia, 'm', compute)).toBe(1);
    expect(calls).toBe(2);
    release();
    await new Promise(r => setImmediate(r));
    // Past the first value's TTL: the refreshed one, dated from its start.
    now += 5_000;
    expect(await cache.get(mia, 'm', compute)).toBe(2);
    expect(calls).toBe(2);
    now += 5_000;
    expect(await cache.get(mia, 'm', compute)).toBe(3);
  });
});
