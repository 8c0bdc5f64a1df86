import { createHash } from 'node:crypto';
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  FileScanResult,
  ScannerInfo,
} from '@internal/plugin-model-hub-common';
import { ScanReport, sortFindings, verdictOf } from './report';
import { FileSource } from './source';
import { analyzeSource, isIoError } from './analyze';

/** Identifies this scanner (bump the version when rules change). */
export const SCANNER_INFO: ScannerInfo = {
  name: 'model-hub-scanner',
  version: '1.0.0',
};

/** Options of {@link scanFile}. */
export interface ScanFileOptions {
  /** Path reported in the result (defaults to the path scanned). */
  displayPath?: string;
  /** Called as hashing advances through the file. */
  onProgress?: (bytesDone: number, total: number) => void;
}

const HASH_CHUNK = 8 * 1024 * 1024;

/**
 * Scans one file: hashes every byte with SHA-256 and parses its format by
 * content. Never throws for bad content (that yields verdict `error`);
 * throws only for I/O errors such as ENOENT.
 */
export async function scanFile(
  filePath: string,
  options: ScanFileOptions = {},
): Promise<FileScanResult> {
  const fh = await open(filePath, 'r');
  try {
    const st = await fh.stat();
    if (!st.isFile()) {
      throw Object.assign(new Error(`${filePath} is not a regular file`), {
        code: 'EISDIR',
        syscall: 'open',
        path: filePath,
      });
    }
    const size = st.size;
    const report = new ScanReport();
    const analysis = (async () => {
      try {
        return await analyzeSource(new FileSource(fh, size), report, '');
      } catch (e) {
        if (isIoError(e)) throw e;
        report.fail(
          'scanner/internal-error',
          `the scanner failed on this file: ${
            (e as Error)?.message ?? String(e)
          }`,
        );
        return { format: 'unknown' as const, supported: true };
      }
    })();
    const [sha256, { format, supported }] = await Promise.all([
      hashFile(fh, size, options.onProgress),
      analysis,
    ]);
    return {
      path: options.displayPath ?? filePath,
      format,
      verdict: verdictOf(report.findings, report.parsedFully, supported),
      sha256,
      size,
      findings: sortFindings(report.findings),
    };
  } finally {
    await fh.close();
  }
}

/** SHA-256 of the first `size` bytes, double-buffered so reads overlap hashing. */
async function hashFile(
  fh: import('node:fs/promises').FileHandle,
  size: number,
  onProgress?: (bytesDone: number, total: number) => void,
): Promise<string> {
  const hash = createHash('sha256');
  const chunk = Math.min(HASH_CHUNK, Math.max(size, 1));
  const bufs = [
    Buffer.allocUnsafe(chunk),
    Buffer.allocUnsafe(size > chunk ? chunk : 0),
  ];
  const readAt = (i: number, pos: number) =>
    fh.read(bufs[i], 0, Math.min(chunk, size - pos), pos);
  let pos = 0;
  let i = 0;
  let pending = size > 0 ? readAt(0, 0) : undefined;
  while (pending) {
    const { bytesRead } = await pending;
    if (bytesRead === 0) {
      throw Object.assign(new Error('file shrank while it was scanned'), {
        code: 'EIO',
        syscall: 'read',
      });
    }
    const current = bufs[i];
    pos += bytesRead;
    i ^= 1;
    pending = pos < size ? readAt(i, pos) : undefined;
    hash.update(current.subarray(0, bytesRead));
    onProgress?.(pos, size);
  }
  return hash.digest('hex');
}

/** Options of {@link scanPaths}. */
export interface ScanPathsOptions {
  /** Called before each file is scanned. */
  onFile?: (path: string, size: number) => void;
  /** Called as hashing advances through a file. */
  onProgress?: (path: string, bytesDone: number, total: number) => void;
}

/**
 * Scans files and directories (recursively, in sorted order; symlinked
 * directories are not followed). Throws for paths that do not exist.
 */
export async function scanPaths(
  paths: string[],
  options: ScanPathsOptions = {},
): Promise<FileScanResult[]> {
  const files: string[] = [];
  for (const p of paths) {
    const st = await stat(p);
    if (st.isDirectory()) await walk(p, files);
    else files.push(p);
  }
  const results: FileScanResult[] = [];
  for (const f of files) {
    const st = await stat(f);
    options.onFile?.(f, st.size);
    results.push(
      await scanFile(f, {
        displayPath: f,
        onProgress: options.onProgress
          ? (done, total) => options.onProgress!(f, done, total)
          : undefined,
      }),
    );
  }
  return results;
}

async function walk(dir: string, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => Number(a.name > b.name) - Number(a.name < b.name));
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) await walk(p, out);
    else if (e.isFile()) out.push(p);
    else if (e.isSymbolicLink()) {
      const st = await stat(p).catch(() => undefined);
      if (st?.isFile()) out.push(p);
    }
  }
}
