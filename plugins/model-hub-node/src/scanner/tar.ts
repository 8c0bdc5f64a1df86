import { MalformedError, ScanReport } from './report';
import { RandomSource } from './source';

/** One regular-file member of a tar archive. */
export interface TarMember {
  name: string;
  dataOffset: number;
  size: number;
}

/** Limits applied while walking a tar archive. */
export const TAR_LIMITS = {
  maxMembers: 100_000,
  /** Largest PAX or GNU long-name record read into memory. */
  maxExtendedHeader: 1024 * 1024,
};

const BLOCK = 512;

function cstr(b: Buffer, start: number, len: number): string {
  const end = b.indexOf(0, start);
  return b.toString(
    'utf8',
    start,
    end < 0 || end > start + len ? start + len : end,
  );
}

function checksumOk(h: Buffer): boolean {
  const stored = parseInt(cstr(h, 148, 8).trim() || 'x', 8);
  if (!Number.isFinite(stored)) return false;
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i];
  return sum === stored;
}

/** Whether a 512-byte block is a ustar/GNU/PAX tar header with a valid checksum. */
export function looksLikeTar(head: Buffer): boolean {
  if (head.length < BLOCK) return false;
  const magic = head.toString('latin1', 257, 262);
  return magic === 'ustar' && checksumOk(head);
}

function parseSize(h: Buffer, location: string): number {
  if (h[124] & 0x80) {
    // GNU base-256: big-endian binary in the remaining 11 bytes
    let v = 0;
    for (let i = 125; i < 136; i++) v = v * 256 + h[i];
    if (v > Number.MAX_SAFE_INTEGER) {
      throw new MalformedError(
        'tar/malformed',
        'member size is implausible',
        location,
      );
    }
    return v;
  }
  const text = cstr(h, 124, 12).trim();
  const v = text === '' ? 0 : parseInt(text, 8);
  if (!/^[0-7]*$/.test(text) || !Number.isFinite(v)) {
    throw new MalformedError(
      'tar/malformed',
      'member size is not octal',
      location,
    );
  }
  return v;
}

/** PAX records `len key=value\n`; only `path` and `size` matter here. */
function parsePax(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let p = 0;
  while (p < text.length) {
    const sp = text.indexOf(' ', p);
    if (sp < 0) break;
    const len = parseInt(text.slice(p, sp), 10);
    if (!Number.isFinite(len) || len <= 0) break;
    const rec = text.slice(sp + 1, p + len - 1);
    const eq = rec.indexOf('=');
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    p += len;
  }
  return out;
}

/**
 * Lists the regular-file members of a tar archive (ustar, GNU and PAX long
 * names included) with positioned reads. Throws `MalformedError` when the
 * structure is broken or a member runs past the end.
 */
export async function readTarMembers(
  src: RandomSource,
  report: ScanReport,
  location: string,
): Promise<TarMember[]> {
  const at = (s: string) => (location ? `${location}!${s}` : s);
  const members: TarMember[] = [];
  let pos = 0;
  let longName: string | undefined;
  let pax: Record<string, string> = {};
  for (let count = 0; pos + BLOCK <= src.size; count++) {
    if (count > TAR_LIMITS.maxMembers) {
      throw new MalformedError(
        'tar/entry-limit',
        `more than ${TAR_LIMITS.maxMembers} tar members`,
        location,
      );
    }
    const h = await src.read(pos, BLOCK);
    if (h.every(b => b === 0)) return members; // end-of-archive blocks
    if (!checksumOk(h)) {
      throw new MalformedError(
        'tar/malformed',
        `bad tar header checksum at offset ${pos}`,
        location,
      );
    }
    let size = parseSize(h, at(`@offset ${pos}`));
    const type = String.fromCharCode(h[156] || 0x30);
    const prefix =
      h.toString('latin1', 257, 262) === 'ustar' ? cstr(h, 345, 155) : '';
    let name = prefix ? `${prefix}/${cstr(h, 0, 100)}` : cstr(h, 0, 100);
    const dataOffset = pos + BLOCK;
    if (pax.size !== undefined && /^\d+$/.test(pax.size))
      size = Number(pax.size);
    if (dataOffset + size > src.size) {
      throw new MalformedError(
        'tar/truncated',
        `member ${JSON.stringify(name)} runs past the end of the archive`,
        at(name),
      );
    }
    const next = dataOffset + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'x' || type === 'g' || type === 'L') {
      if (size > TAR_LIMITS.maxExtendedHeader) {
        throw new MalformedError(
          'tar/entry-limit',
          'extended tar header is too large',
          at(`@offset ${pos}`),
        );
      }
      const text = (await src.read(dataOffset, size)).toString('utf8');
      if (type === 'x') pax = parsePax(text);
      else if (type === 'L') longName = text.replace(/\0+$/, '');
      pos = next;
      continue;
    }
    if (pax.path) name = pax.path;
    else if (longName) name = longName;
    pax = {};
    longName = undefined;
    checkTarName(name, report, at(name));
    if (type === '0' || type === '7') members.push({ name, dataOffset, size });
    pos = next;
  }
  return members;
}

function checkTarName(name: string, report: ScanReport, location: string) {
  const parts = name.split(/[\\/]/);
  if (name.startsWith('/') || parts.includes('..') || /^[A-Za-z]:/.test(name)) {
    report.add(
      'high',
      'tar/path-traversal',
      `member name ${JSON.stringify(name)} can escape the extraction directory`,
      location,
    );
  }
}

/** Whether the members are a legacy (pre-1.6) `torch.save` tar archive. */
export function isLegacyTorchTar(members: TarMember[]): boolean {
  const names = new Set(members.map(m => m.name));
  return ['sys_info', 'pickle', 'storages', 'tensors'].every(n => names.has(n));
}
