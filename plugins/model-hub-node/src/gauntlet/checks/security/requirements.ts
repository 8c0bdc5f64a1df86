import { normalizePythonName, parsePep440 } from './pep440';

/** One dependency line of a `requirements.txt`. */
export interface PythonRequirement {
  /** 1-based line number in the file. */
  line: number;
  /** The distribution name as written. */
  name: string;
  /** The PEP 503 normalized name, for lookups. */
  normalizedName: string;
  /** The version specifier as written, e.g. `==2.5.1` or `>=1.0,<2`; empty when none. */
  specifier: string;
  /** The exact version when pinned with `==`/`===` (no wildcard), else undefined. */
  pinnedVersion?: string;
}

/** What {@link parseRequirements} found. */
export interface ParsedRequirements {
  requirements: PythonRequirement[];
  /** Lines that are not plain requirements: options, includes, URLs, editables, or unparseable. */
  skipped: Array<{ line: number; text: string; why: string }>;
}

const NAME_RE =
  /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(\[[^\]]*\])?\s*(.*)$/;

/**
 * Parses the text of a pip requirements file (PEP 508 requirement lines,
 * comments, line continuations). Options (`-r`, `--index-url`), editables
 * and direct URL references are reported as skipped, never followed.
 */
export function parseRequirements(text: string): ParsedRequirements {
  const requirements: PythonRequirement[] = [];
  const skipped: ParsedRequirements['skipped'] = [];
  const physical = text.split(/\r?\n/);
  for (let i = 0; i < physical.length; i++) {
    const lineNo = i + 1;
    let line = physical[i];
    while (line.endsWith('\\') && i + 1 < physical.length) {
      line = line.slice(0, -1) + physical[++i];
    }
    line = line.replace(/(^|\s)#.*$/, '').trim();
    if (line === '') continue;
    if (line.startsWith('-')) {
      skipped.push({
        line: lineNo,
        text: line,
        why: 'pip option (not followed)',
      });
      continue;
    }
    const [requirement] = line.split(';', 1);
    const m = NAME_RE.exec(requirement.trim());
    if (!m) {
      skipped.push({ line: lineNo, text: line, why: 'not a requirement' });
      continue;
    }
    const rest = m[3].trim();
    if (rest.startsWith('@') || /:\/\//.test(m[1])) {
      skipped.push({ line: lineNo, text: line, why: 'direct URL reference' });
      continue;
    }
    const specifier = rest.replace(/^\((.*)\)$/, '$1').replace(/\s+/g, '');
    if (specifier !== '' && !/^(===|==|~=|!=|<=|>=|<|>)/.test(specifier)) {
      skipped.push({ line: lineNo, text: line, why: 'not a requirement' });
      continue;
    }
    const pin = /^(?:===?)([^,]+)$/.exec(specifier);
    const pinnedVersion =
      pin && !pin[1].includes('*') && parsePep440(pin[1]) ? pin[1] : undefined;
    requirements.push({
      line: lineNo,
      name: m[1],
      normalizedName: normalizePythonName(m[1]),
      specifier,
      pinnedVersion,
    });
  }
  return { requirements, skipped };
}

/**
 * True for the file names pip dependency lists conventionally use
 * (`requirements.txt`, `requirements-prod.txt`, `constraints.txt`,
 * `requirements.in`, `requirements/prod.txt`, …).
 */
export function isRequirementsFile(path: string): boolean {
  const parts = path.split('/');
  const base = parts[parts.length - 1];
  const dir = parts.length > 1 ? parts[parts.length - 2] : '';
  if (/^(requirements|constraints)([-_.][\w.-]*)?\.(txt|in)$/i.test(base)) {
    return true;
  }
  return /^requirements$/i.test(dir) && /\.(txt|in)$/i.test(base);
}
