import { ScanReport } from './report';
import { Cursor, RandomSource, SliceSource, readChunks } from './source';
import { scanPickleStream } from './pickle/scanPickle';

/** Element sizes a legacy torch storage can have, most common first. */
const ELEMENT_SIZES = [4, 8, 2, 1, 16];
const MAX_RECORDS = 1_000_000;

function startsPickle(b: Buffer): boolean {
  return b.length >= 2 && b[0] === 0x80 && b[1] >= 2 && b[1] <= 5;
}

/**
 * The `storages` and `tensors` members of a legacy (pre-1.6) `torch.save`
 * tar interleave pickles (a count, then one header per record, each
 * unpickled by `torch.load`) with raw bytes: per storage an int64 element
 * count and the elements, per tensor an int32 ndim, 4 skipped bytes, sizes,
 * strides and an offset. This walks every header pickle, skipping the raw records between
 * them, so a pickle hidden behind raw bytes is scanned too. The element
 * size is not known without the storage type, so every size that puts the
 * next record exactly at a pickle (or the member's end) is followed: a
 * decoy pickle inside the elements cannot steer the walk past the header
 * torch reads.
 */
export async function scanLegacyTorchRecords(
  member: RandomSource,
  kind: 'storages' | 'tensors',
  report: ScanReport,
  location: string,
): Promise<void> {
  const pending = [0];
  const visited = new Set<number>();
  while (pending.length > 0) {
    const off = pending.pop()!;
    if (off >= member.size || visited.has(off)) continue;
    visited.add(off);
    if (visited.size > MAX_RECORDS) {
      report.fail(
        'tar/unparsed-record',
        `more than ${MAX_RECORDS} records in ${kind}; the rest of the member was not scanned`,
        `${location}@offset ${off}`,
      );
      return;
    }
    const probe = new ScanReport();
    const slice = new SliceSource(member, off, member.size - off);
    const cur = new Cursor(readChunks(slice, 0, slice.size));
    try {
      await scanPickleStream(cur, probe, location);
    } finally {
      await cur.close();
    }
    let rawAt: number | undefined;
    for (const f of probe.findings) {
      const m = /@offset (\d+)$/.exec(f.location ?? '');
      if (f.rule === 'pickle/trailing-data' && m) {
        rawAt = off + Number(m[1]);
        continue;
      }
      report.add(
        f.severity,
        f.rule,
        f.message,
        m ? `${location}@offset ${off + Number(m[1])}` : f.location,
      );
    }
    if (!probe.parsedFully) report.parsedFully = false;
    if (rawAt === undefined) continue;
    const next = await skipRecord(member, rawAt, kind);
    if (next.length === 0) {
      report.fail(
        'tar/unparsed-record',
        `the raw ${kind} record at offset ${rawAt} does not end where a pickle or the member ends; the rest of the member was not scanned`,
        `${location}@offset ${rawAt}`,
      );
      continue;
    }
    pending.push(...next);
  }
}

/** Every offset where the raw record at `at` can end: at a pickle or the member's end. */
async function skipRecord(
  member: RandomSource,
  at: number,
  kind: 'storages' | 'tensors',
): Promise<number[]> {
  const fits = async (next: number) =>
    next === member.size ||
    (next < member.size && startsPickle(await member.read(next, 2)));
  if (kind === 'tensors') {
    const h = await member.read(at, 4);
    if (h.length < 4) return [];
    const ndim = h.readInt32LE(0);
    if (ndim < 0 || ndim > 64) return [];
    // ndim, 4 bytes torch skips (ndim was once 8 bytes), sizes, strides, offset
    const next = at + 4 + 4 + 16 * ndim + 8;
    return (await fits(next)) ? [next] : [];
  }
  const h = await member.read(at, 8);
  if (h.length < 8) return [];
  const numel = Number(h.readBigInt64LE(0));
  if (numel < 0 || numel > member.size) return [];
  const out: number[] = [];
  for (const size of ELEMENT_SIZES) {
    const next = at + 8 + numel * size;
    if (await fits(next)) out.push(next);
  }
  return out;
}
