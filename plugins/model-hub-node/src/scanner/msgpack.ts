import { MalformedError, ScanReport } from './report';
import { Cursor, RandomSource, readChunks } from './source';

/** Limits of the MessagePack walker. */
const LIMITS = { maxDepth: 64, maxItems: 50_000_000 };

/**
 * Whether the first byte opens a top-level map, as Flax's
 * `serialization.to_bytes` writes a checkpoint (a state dict).
 */
export function looksLikeMsgpackMap(head: Buffer): boolean {
  return (
    head.length > 1 &&
    ((head[0] >= 0x81 && head[0] <= 0x8f) ||
      head[0] === 0xde ||
      head[0] === 0xdf)
  );
}

/**
 * Walks a MessagePack document (Flax `.msgpack` checkpoints) to its end
 * without building it: strings, binaries and extension payloads (Flax
 * stores arrays as ext type 1) are skipped. MessagePack carries no code,
 * so a document that parses exactly to the end of the file is data only.
 * Throws `MalformedError('msgpack/malformed')` otherwise.
 */
export async function scanMsgpack(
  src: RandomSource,
  _report: ScanReport,
  location: string,
): Promise<void> {
  const cur = new Cursor(readChunks(src, 0, src.size));
  const fail = (msg: string): never => {
    throw new MalformedError(
      'msgpack/malformed',
      msg,
      `${location}@offset ${cur.offset}`,
    );
  };
  const need = async (n: number) => {
    if (!(await cur.fill(n))) fail('the MessagePack data is truncated');
  };
  const uint = async (n: number): Promise<number> => {
    await need(n);
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + cur.buf[cur.pos + i];
    cur.pos += n;
    return v;
  };
  const skip = async (n: number) => {
    if (n > src.size || !(await cur.skip(n)))
      fail('a value runs past the end of the file');
  };
  let items = 0;
  // An explicit stack of "values still to read", so depth costs no recursion.
  const pending: number[] = [1];
  while (pending.length) {
    if (pending[pending.length - 1] === 0) {
      pending.pop();
      continue;
    }
    pending[pending.length - 1]--;
    if (++items > LIMITS.maxItems) fail('too many values');
    const b = await uint(1);
    let children = 0;
    if (b <= 0x7f || b >= 0xe0 || (b >= 0xc2 && b <= 0xc3) || b === 0xc0) {
      // fixint, negative fixint, bool, nil
    } else if (b >= 0x80 && b <= 0x8f) children = 2 * (b & 0x0f);
    else if (b >= 0x90 && b <= 0x9f) children = b & 0x0f;
    else if (b >= 0xa0 && b <= 0xbf) await skip(b & 0x1f);
    else {
      switch (b) {
        case 0xc4:
        case 0xd9:
          await skip(await uint(1));
          break;
        case 0xc5:
        case 0xda:
          await skip(await uint(2));
          break;
        case 0xc6:
        case 0xdb:
          await skip(await uint(4));
          break;
        case 0xc7:
          await skip((await uint(1)) + 1);
          break;
        case 0xc8:
          await skip((await uint(2)) + 1);
          break;
        case 0xc9:
          await skip((await uint(4)) + 1);
          break;
        case 0xca:
          await skip(4);
          break;
        case 0xcb:
          await skip(8);
          break;
        case 0xcc:
        case 0xd0:
          await skip(1);
          break;
        case 0xcd:
        case 0xd1:
          await skip(2);
          break;
        case 0xce:
        case 0xd2:
          await skip(4);
          break;
        case 0xcf:
        case 0xd3:
          await skip(8);
          break;
        case 0xd4:
          await skip(2);
          break;
        case 0xd5:
          await skip(3);
          break;
        case 0xd6:
          await skip(5);
          break;
        case 0xd7:
          await skip(9);
          break;
        case 0xd8:
          await skip(17);
          break;
        case 0xdc:
          children = await uint(2);
          break;
        case 0xdd:
          children = await uint(4);
          break;
        case 0xde:
          children = 2 * (await uint(2));
          break;
        case 0xdf:
          children = 2 * (await uint(4));
          break;
        default:
          fail(`byte 0x${b.toString(16)} is not a MessagePack type`);
      }
    }
    if (children > 0) {
      if (children > src.size)
        fail('a container declares more items than bytes');
      if (pending.length >= LIMITS.maxDepth) fail('values nest too deep');
      pending.push(children);
    }
  }
  if (!(await cur.atEnd())) fail('data follows the MessagePack document');
  await cur.close();
}
