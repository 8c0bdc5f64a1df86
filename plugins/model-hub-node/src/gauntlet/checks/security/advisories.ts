import { promises as fs } from 'node:fs';
import path from 'node:path';
import { comparePep440, normalizePythonName, parsePep440 } from './pep440';

/** The fields of an OSV record the security check uses. */
export interface OsvRecord {
  id: string;
  summary?: string;
  details?: string;
  aliases?: string[];
  modified?: string;
  affected?: Array<{
    package?: { ecosystem?: string; name?: string };
    ranges?: Array<{
      type?: string;
      events?: Array<{
        introduced?: string;
        fixed?: string;
        last_affected?: string;
        limit?: string;
      }>;
    }>;
    versions?: string[];
  }>;
  references?: Array<{ type?: string; url?: string }>;
  severity?: Array<{ type?: string; score?: string }>;
  database_specific?: { severity?: string };
}

/** The advisories of one ecosystem, indexed by normalized package name. */
export interface AdvisoryDatabase {
  /** Where the records were read from. */
  directory: string;
  /** Number of records read. */
  records: number;
  /** Files that could not be read as OSV records, with why. */
  invalid: Array<{ file: string; error: string }>;
  /** PyPI records by PEP 503 normalized package name. */
  byPackage: Map<string, OsvRecord[]>;
}

/** A dependency version matched by an advisory. */
export interface AdvisoryMatch {
  id: string;
  aliases: string[];
  summary: string;
  /** `CRITICAL`, `HIGH`, `MODERATE`, `LOW` or `UNKNOWN`. */
  severity: string;
  /** The lowest fixed version after the affected one, if the advisory names one. */
  fixedIn?: string;
  url?: string;
}

const MAX_RECORD_BYTES = 2 * 1024 * 1024;
const MAX_FILES = 200_000;

async function listJsonFiles(dir: string, out: string[]): Promise<void> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (out.length >= MAX_FILES) return;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await listJsonFiles(full, out);
    else if (entry.isFile() && entry.name.endsWith('.json')) out.push(full);
  }
}

/**
 * Reads every `*.json` OSV record below `directory` and indexes the PyPI
 * ones by package. Malformed files are listed in `invalid`, not fatal.
 * @throws Error when the directory cannot be read
 */
export async function loadAdvisoryDatabase(
  directory: string,
): Promise<AdvisoryDatabase> {
  const files: string[] = [];
  await listJsonFiles(directory, files);
  const db: AdvisoryDatabase = {
    directory,
    records: 0,
    invalid: [],
    byPackage: new Map(),
  };
  for (const file of files) {
    const relative = path.relative(directory, file);
    try {
      const stat = await fs.stat(file);
      if (stat.size > MAX_RECORD_BYTES) {
        throw new Error(`larger than ${MAX_RECORD_BYTES} bytes`);
      }
      const record = JSON.parse(await fs.readFile(file, 'utf8')) as OsvRecord;
      if (typeof record?.id !== 'string' || !Array.isArray(record.affected)) {
        throw new Error('not an OSV record (needs id and affected[])');
      }
      db.records++;
      const names = new Set<string>();
      for (const affected of record.affected) {
        if (affected.package?.ecosystem === 'PyPI' && affected.package.name) {
          names.add(normalizePythonName(affected.package.name));
        }
      }
      for (const name of names) {
        const list = db.byPackage.get(name) ?? [];
        list.push(record);
        db.byPackage.set(name, list);
      }
    } catch (e) {
      db.invalid.push({ file: relative, error: (e as Error).message });
    }
  }
  return db;
}

function severityOf(record: OsvRecord): string {
  const s = record.database_specific?.severity;
  if (typeof s === 'string' && s.trim() !== '') return s.trim().toUpperCase();
  return 'UNKNOWN';
}

/**
 * Evaluates OSV `ECOSYSTEM` range events for one version: affected from each
 * `introduced` until the next `fixed` (exclusive) or `last_affected`
 * (inclusive). Returns whether it is affected and the fix, if any.
 */
function inRange(
  version: ReturnType<typeof parsePep440> & object,
  events: NonNullable<
    NonNullable<
      NonNullable<OsvRecord['affected']>[number]['ranges']
    >[number]['events']
  >,
): { affected: boolean; fixed?: string } {
  const cmp = (s: string) => {
    const p = parsePep440(s);
    return p ? comparePep440(version, p) : undefined;
  };
  let introducedAt: string | undefined;
  for (const event of events) {
    if (event.introduced !== undefined) {
      introducedAt = event.introduced;
      continue;
    }
    if (introducedAt === undefined) continue;
    const afterIntro =
      introducedAt === '0' ? true : (cmp(introducedAt) ?? -1) >= 0;
    if (event.fixed !== undefined) {
      const beforeFix = (cmp(event.fixed) ?? 1) < 0;
      if (afterIntro && beforeFix)
        return { affected: true, fixed: event.fixed };
      introducedAt = undefined;
    } else if (event.last_affected !== undefined) {
      if (afterIntro && (cmp(event.last_affected) ?? 1) <= 0)
        return { affected: true };
      introducedAt = undefined;
    } else if (event.limit !== undefined) {
      if (afterIntro && (cmp(event.limit) ?? 1) < 0) return { affected: true };
      introducedAt = undefined;
    }
  }
  if (introducedAt !== undefined) {
    // Introduced and never fixed.
    const afterIntro =
      introducedAt === '0' ? true : (cmp(introducedAt) ?? -1) >= 0;
    if (afterIntro) return { affected: true };
  }
  return { affected: false };
}

/** The advisories in `db` that affect `version` of the PyPI package `name`. */
export function findAdvisories(
  db: AdvisoryDatabase,
  name: string,
  version: string,
): AdvisoryMatch[] {
  const parsed = parsePep440(version);
  if (!parsed) return [];
  const normalized = normalizePythonName(name);
  const matches: AdvisoryMatch[] = [];
  for (const record of db.byPackage.get(normalized) ?? []) {
    let hit: { affected: boolean; fixed?: string } = { affected: false };
    for (const affected of record.affected ?? []) {
      if (
        affected.package?.ecosystem !== 'PyPI' ||
        normalizePythonName(affected.package.name ?? '') !== normalized
      ) {
        continue;
      }
      if (
        affected.versions?.some(v => {
          const p = parsePep440(v);
          return p !== undefined && comparePep440(p, parsed) === 0;
        })
      ) {
        hit = { affected: true };
      }
      for (const range of affected.ranges ?? []) {
        if (range.type !== 'ECOSYSTEM' || !range.events) continue;
        const r = inRange(parsed, range.events);
        if (r.affected) hit = { affected: true, fixed: r.fixed ?? hit.fixed };
      }
      if (hit.affected) break;
    }
    if (hit.affected) {
      matches.push({
        id: record.id,
        aliases: record.aliases ?? [],
        summary: record.summary ?? record.details?.slice(0, 200) ?? record.id,
        severity: severityOf(record),
        fixedIn: hit.fixed,
        url:
          record.references?.find(r => r.type === 'ADVISORY')?.url ??
          record.references?.[0]?.url,
      });
    }
  }
  return matches;
}
