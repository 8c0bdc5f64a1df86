import {
  ALLOC_READ_BUFFER_SOURCE,
  allocReadBuffer,
  READ_BUFFER_SKIP,
} from './readBuffer';

describe('allocReadBuffer', () => {
  it('gives exactly the bytes asked for, starting past the allocation header', () => {
    for (const size of [1, 4096, 128 * 1024, 4 * 1024 * 1024]) {
      const buffer = allocReadBuffer(size);
      expect(buffer.length).toBe(size);
      expect(buffer.byteOffset).toBe(READ_BUFFER_SKIP);
      expect(buffer.buffer.byteLength).toBe(size + READ_BUFFER_SKIP);
      buffer.fill(7);
      expect(buffer.every(b => b === 7)).toBe(true);
    }
    expect(READ_BUFFER_SKIP % 16).toBe(0);
  });

  it('has a worker-thread twin with the same layout', () => {
    // eslint-disable-next-line no-new-func
    const twin = new Function(
      'Buffer',
      `${ALLOC_READ_BUFFER_SOURCE}; return allocReadBuffer;`,
    )(Buffer) as (size: number) => Buffer;
    const buffer = twin(1024 * 1024);
    expect(buffer.length).toBe(1024 * 1024);
    expect(buffer.byteOffset).toBe(READ_BUFFER_SKIP);
  });
});
