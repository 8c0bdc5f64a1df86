import { RandomSource } from './source';

/** Mach-O magic numbers (32/64-bit, either byte order) and fat binaries. */
const MACHO_MAGICS = new Set([
  0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe, 0xcafebabe, 0xbebafeca,
]);

/**
 * Whether the bytes start a native executable or library: ELF (Linux
 * `.so`), Mach-O (macOS `.dylib`, `.so`) or PE (Windows `.dll`, `.pyd`: an
 * `MZ` stub whose header offset points at `PE\0\0`). Such a file under any
 * name is compiled code a custom loader can load (ctypes, or an import
 * after a rename).
 */
export async function isNativeLibraryHead(src: RandomSource): Promise<boolean> {
  const head = await src.read(0, 64);
  if (head.length < 4) return false;
  if (head.readUInt32BE(0) === 0x7f454c46) return true;
  if (MACHO_MAGICS.has(head.readUInt32BE(0))) return true;
  if (head[0] === 0x4d && head[1] === 0x5a && head.length >= 64) {
    const peAt = head.readUInt32LE(0x3c);
    if (peAt + 4 > src.size) return false;
    const sig = await src.read(peAt, 4);
    return sig.equals(Buffer.from('PE\0\0', 'latin1'));
  }
  return false;
}
