import path from 'node:path';
import { ParsedRequirements } from './requirements';

/**
 * pip options a requirements file may carry without changing where packages
 * come from. Every other option, and every line that is not a plain
 * `name[extras] specifier ; marker` requirement, is a finding.
 */
export const ALLOWED_PIP_OPTIONS: readonly string[] = [
  '--require-hashes',
  '--only-binary',
  '--no-binary',
  '--prefer-binary',
  '--pre',
];

/** Options that include another requirements file. */
const INCLUDE_OPTIONS = new Set(['-r', '--requirement', '-c', '--constraint']);

/** One requirements line that can make pip fetch code from somewhere other than the default index. */
export interface RequirementSourceFinding {
  file: string;
  line: number;
  /** What kind of vector the line is. */
  kind:
    | 'index-url'
    | 'find-links'
    | 'trusted-host'
    | 'editable'
    | 'include'
    | 'direct-url'
    | 'vcs'
    | 'option'
    | 'unparsed';
  /** One line naming the file, the line and why it matters. */
  message: string;
}

/** Hides credentials in URLs (`https://user:token@host` → `https://***@host`). */
export function redactUrls(text: string): string {
  return text.replace(/(\/\/)[^/@\s]*@/g, '$1***@');
}

function optionOf(line: string): { name: string; value: string } {
  const long = /^(--[A-Za-z0-9-]+)(?:\s*=\s*|\s+)?(.*)$/.exec(line);
  if (long) return { name: long[1], value: long[2].trim() };
  const short = /^(-[A-Za-z])\s*=?\s*(.*)$/.exec(line);
  if (short) return { name: short[1], value: short[2].trim() };
  return { name: line.split(/\s/, 1)[0], value: '' };
}

function kindOfOption(name: string): RequirementSourceFinding['kind'] {
  switch (name) {
    case '-i':
    case '--index-url':
    case '--extra-index-url':
    case '--no-index':
      return 'index-url';
    case '-f':
    case '--find-links':
      return 'find-links';
    case '--trusted-host':
      return 'trusted-host';
    case '-e':
    case '--editable':
      return 'editable';
    default:
      return INCLUDE_OPTIONS.has(name) ? 'include' : 'option';
  }
}

const WHY: Record<RequirementSourceFinding['kind'], string> = {
  'index-url':
    'points pip at another package index (a dependency-confusion vector)',
  'find-links': 'lets pip take packages from another location',
  'trusted-host': 'turns off TLS verification for a host',
  editable: 'installs a package from a path or repository in editable mode',
  include: 'includes a file the hub does not check',
  'direct-url': 'installs a package from a URL instead of the index',
  vcs: 'installs a package from a version-control repository',
  option: 'is a pip option the hub does not allow',
  unparsed: 'is not a plain requirement; pip may read it as a path or URL',
};

/**
 * Finds the lines of a requirements file that can change where pip gets
 * code: index and find-links options, trusted hosts, editables, direct URL
 * and VCS references, includes of files that are not checked, other pip
 * options and lines that are not plain requirements. An include (`-r`,
 * `-c`) is fine when it names another requirements file of the version,
 * which is checked on its own.
 */
export function findRequirementSources(
  file: string,
  parsed: ParsedRequirements,
  checkedFiles: ReadonlySet<string>,
): RequirementSourceFinding[] {
  const findings: RequirementSourceFinding[] = [];
  for (const skipped of parsed.skipped) {
    const text = skipped.text;
    let kind: RequirementSourceFinding['kind'];
    if (text.startsWith('-')) {
      const { name, value } = optionOf(text);
      if (ALLOWED_PIP_OPTIONS.includes(name)) continue;
      kind = kindOfOption(name);
      if (kind === 'include' && value !== '' && !value.includes('://')) {
        const target = path.posix.normalize(
          path.posix.join(path.posix.dirname(file), value),
        );
        if (checkedFiles.has(target)) continue;
      }
    } else if (/^[A-Za-z]+\+[A-Za-z]+:/.test(text)) {
      kind = 'vcs';
    } else if (skipped.why === 'direct URL reference') {
      kind = /@\s*[A-Za-z]+\+[A-Za-z]+:/.test(text) ? 'vcs' : 'direct-url';
    } else if (/:\/\//.test(text)) {
      kind = 'direct-url';
    } else {
      kind = 'unparsed';
    }
    findings.push({
      file,
      line: skipped.line,
      kind,
      message: `${file}:${skipped.line}: '${redactUrls(text).slice(0, 200)}' ${
        WHY[kind]
      }`,
    });
  }
  return findings;
}
