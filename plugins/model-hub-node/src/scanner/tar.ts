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

/** Whether the stored checksum matches the bytes, summed unsigned or signed (tarfile takes both). */
function checksumOk(h: Buffer): boolean {
  const stored = parseInt(cstr(h, 148, 8).trim() || 'x', 8);
  if (!Number.isFinite(stored)) return false;
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : h[i];
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return stored === unsigned || stored === signed;
}

/**
 * Whether a 512-byte block is a tar header with a valid checksum: ustar,
 * GNU, PAX or V7 (no magic), all of which tarfile, and so torch.load,
 * opens.
 */
export function looksLikeTar(head: Buffer): boolean {
  if (head.length < BLOCK) return false;
  return checksumOk(head);
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

/** Type flags Python's tarfile knows; a member of any other type is read as a regular file. */
const SUPPORTED_TYPES = new Set([
  '0',
  '\0',
  '1',
  '2',
  '3',
  '4',
  '5',
  '6',
  '7',
  'S',
  'L',
  'K',
  'x',
  'g',
  'X',
]);
/** Type flags whose data `tarfile.extractfile` returns. */
const REGULAR_TYPES = new Set(['0', '\0', '7', 'S']);

/**
 * Lists the members of a tar archive whose data `tarfile.extractfile`
 * returns (ustar, GNU and PAX long names included) with positioned reads,
 * walking the headers as Python's tarfile does: members of unknown types
 * are regular files, links, directories and devices have no data whatever
 * their size field says, and a hard or symbolic link reads as its target.
 * Throws `MalformedError` when the structure is broken or a member runs
 * past the end.
 */
export async function readTarMembers(
  src: RandomSource,
  report: ScanReport,
  location: string,
): Promise<TarMember[]> {
  const at = (s: string) => (location ? `${location}!${s}` : s);
  const members: TarMember[] = [];
  const links: Array<{ name: string; target: string }> = [];
  let pos = 0;
  let longName: string | undefined;
  let longLink: string | undefined;
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
    if (h.every(b => b === 0)) break; // end-of-archive blocks
    if (!checksumOk(h)) {
      throw new MalformedError(
        'tar/malformed',
        `bad tar header checksum at offset ${pos}`,
        location,
      );
    }
    let size = parseSize(h, at(`@offset ${pos}`));
    let type = String.fromCharCode(h[156]);
    let name = cstr(h, 0, 100);
    // V7 tar writes a directory as a regular file whose name ends in "/".
    if (type === '\0' && name.endsWith('/')) type = '5';
    const prefix = cstr(h, 345, 155);
    if (prefix && type !== 'L' && type !== 'K' && type !== 'S') {
      name = `${prefix}/${name}`;
    }
    const dataOffset = pos + BLOCK;
    if (pax.size !== undefined && /^\d+$/.test(pax.size))
      size = Number(pax.size);
    const hasData = REGULAR_TYPES.has(type) || !SUPPORTED_TYPES.has(type);
    const extended = type === 'x' || type === 'g' || type === 'X';
    if (
      (hasData || extended || type === 'L' || type === 'K') &&
      dataOffset + size > src.size
    ) {
      throw new MalformedError(
        'tar/truncated',
        `member ${JSON.stringify(name)} runs past the end of the archive`,
        at(name),
      );
    }
    const next =
      hasData || extended || type === 'L' || type === 'K'
        ? dataOffset + Math.ceil(size / BLOCK) * BLOCK
        : dataOffset;
    if (extended || type === 'L' || type === 'K') {
      if (size > TAR_LIMITS.maxExtendedHeader) {
        throw new MalformedError(
          'tar/entry-limit',
          'extended tar header is too large',
          at(`@offset ${pos}`),
        );
      }
      const text = (await src.read(dataOffset, size)).toString('utf8');
      if (type === 'x' || type === 'X') pax = parsePax(text);
      else if (type === 'L') longName = text.replace(/\0+$/, '');
      else if (type === 'K') longLink = text.replace(/\0+$/, '');
      pos = next;
      continue;
    }
    if (pax.path) name = pax.path;
    else if (longName) name = longName;
    const linkName = pax.linkpath ?? longLink ?? cstr(h, 157, 100);
    pax = {};
    longName = undefined;
    longLink = undefined;
    checkTarName(name, report, at(name));
    if (type === 'S') {
      throw new MalformedError(
        'tar/unsupported-member',
        `member ${JSON.stringify(
          name,
        )} is a GNU sparse file, which the scanner does not read`,
        at(name),
      );
    }
    if (hasData) members.push({ name, dataOffset, size });
    else if (type === '1') links.push({ name, target: linkName });
    else if (type === '2') {
      const dir = name.includes('/')
        ? name.slice(0, name.lastIndexOf('/'))
        : '';
      links.push({
        name,
        target: normalizeTarPath(dir ? `${dir}/${linkName}` : linkName),
      });
    }
    pos = next;
  }
  // extractfile on a link reads its target (the last member of that name).
  for (const link of links) {
    const target = [...members].reverse().find(m => m.name === link.target);
    if (target) members.push({ ...target, name: link.name });
  }
  return members;
}

/** A member path with "." and empty segments dropped and ".." applied. */
function normalizeTarPath(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out.join('/');
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
