import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import type {
  FileScanResult,
  ScanFinding,
  ScannerInfo,
} from '@internal/plugin-model-hub-common';

/** Exit codes of `model-hub scan`. */
export const SCAN_EXIT = {
  /** Everything scanned is safe. */
  safe: 0,
  /** At least one file is unsafe. */
  unsafe: 1,
  /** Something could not be scanned (error) and nothing is unsafe. */
  error: 2,
  /** No supported model file was found. */
  nothingSupported: 3,
  /** Bad path or bad flags. */
  usage: 4,
} as const;

/** Options of `model-hub scan`. */
export interface ScanOptions {
  json?: boolean;
}

/** Files at least this large get a progress indicator (on a TTY). */
const PROGRESS_MIN_BYTES = 64 * 1024 * 1024;

/** The exit code for a set of results (see {@link SCAN_EXIT}). */
export function exitCodeFor(results: FileScanResult[]): number {
  if (results.some(r => r.verdict === 'unsafe')) return SCAN_EXIT.unsafe;
  if (results.some(r => r.verdict === 'error')) return SCAN_EXIT.error;
  if (!results.some(r => r.verdict === 'safe'))
    return SCAN_EXIT.nothingSupported;
  return SCAN_EXIT.safe;
}

/** The `--json` document: exactly one object, stable key order. */
export function toJsonReport(scanner: ScannerInfo, results: FileScanResult[]) {
  return {
    scanner: { name: scanner.name, version: scanner.version },
    files: results.map(r => ({
      path: r.path,
      format: r.format,
      verdict: r.verdict,
      sha256: r.sha256,
      size: r.size,
      findings: r.findings.map((f: ScanFinding) => ({
        severity: f.severity,
        rule: f.rule,
        message: f.message,
        location: f.location ?? r.path,
      })),
    })),
  };
}

const LABEL: Record<string, string> = {
  safe: 'SAFE',
  unsafe: 'UNSAFE',
  error: 'ERROR',
  unsupported: 'UNSUPPORTED',
};

/** Human-readable lines for one result. */
export function formatResult(r: FileScanResult): string {
  const lines = [
    `${LABEL[r.verdict].padEnd(11)} ${r.path} (${r.format}, ${
      r.size
    } bytes, sha256 ${r.sha256})`,
  ];
  for (const f of r.findings) {
    lines.push(
      `  ${f.severity.padEnd(8)} ${f.rule}: ${f.message}${
        f.location ? ` [${f.location}]` : ''
      }`,
    );
  }
  return lines.join('\n');
}

function usageError(message: string): Error {
  const e = new Error(message);
  e.name = 'UsageError';
  return e;
}

/**
 * Scans files and directories and prints the results; resolves to the
 * exit code.
 */
export async function scan(
  paths: string[],
  opts: ScanOptions,
): Promise<number> {
  for (const p of paths) {
    const st = await stat(p).catch(() => undefined);
    if (!st) throw usageError(`${p}: no such file or directory`);
    if (!st.isFile() && !st.isDirectory()) {
      throw usageError(`${p}: not a file or directory`);
    }
  }
  // Load the scanner entry point only: the package root also loads catalog
  // and stewardship code that would add ~400 ms to every scan's start-up.
  // eslint-disable-next-line @backstage/no-forbidden-package-imports
  const scanner = await import('@internal/plugin-model-hub-node/src/scanner');
  const { scanPaths, SCANNER_INFO } = scanner;
  const tty = Boolean(process.stderr.isTTY);
  let current = '';
  let currentSize = 0;
  let lastDraw = 0;
  let results: FileScanResult[];
  try {
    results = await scanPaths(paths, {
      onFile: (path, size) => {
        current = path;
        currentSize = size;
      },
      onProgress: (_path, done, total) => {
        if (!tty || currentSize < PROGRESS_MIN_BYTES) return;
        const now = Date.now();
        if (done < total && now - lastDraw < 100) return;
        lastDraw = now;
        const pct = Math.floor((done / total) * 100);
        process.stderr.write(
          done >= total
            ? '\r\x1b[K'
            : `\rscanning ${current} ${pct}% (${(done / 2 ** 20).toFixed(
                0,
              )} / ${(total / 2 ** 20).toFixed(0)} MiB)`,
        );
      },
    });
  } catch (e) {
    // An unreadable file (EACCES, EIO, ...) means it could not be scanned.
    const err = e as NodeJS.ErrnoException;
    if (!err?.code) throw e;
    process.stderr.write(`model-hub: ${err.path ?? current}: ${err.message}\n`);
    return SCAN_EXIT.error;
  }
  if (opts.json) {
    process.stdout.write(
      `${JSON.stringify(toJsonReport(SCANNER_INFO, results), null, 2)}\n`,
    );
  } else {
    for (const r of results) process.stdout.write(`${formatResult(r)}\n`);
    const counts = ['unsafe', 'error', 'unsupported', 'safe']
      .map(v => [v, results.filter(r => r.verdict === v).length] as const)
      .filter(([, n]) => n > 0)
      .map(([v, n]) => `${n} ${v}`);
    process.stdout.write(
      `\n${results.length} file(s) scanned by ${SCANNER_INFO.name} ${
        SCANNER_INFO.version
      }${counts.length ? `: ${counts.join(', ')}` : ''}\n`,
    );
  }
  return exitCodeFor(results);
}

/** Registers `model-hub scan`. */
export function register(program: Command): void {
  program
    .command('scan')
    .description(
      'Scan model files for unsafe content (pickle imports, zip tricks, malformed tensors, template injection)',
    )
    .argument('<paths...>', 'files or directories (scanned recursively)')
    .option('--json', 'print one JSON document instead of text')
    .addHelpText(
      'after',
      '\nExit codes: 0 all safe, 1 something unsafe, 2 something could not be scanned, 3 no supported model files, 4 usage error',
    )
    .action(async (paths: string[], opts: ScanOptions) => {
      process.exitCode = await scan(paths, opts);
    });
}
