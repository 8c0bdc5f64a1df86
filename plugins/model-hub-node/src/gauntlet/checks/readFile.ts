import { GauntletCheckFile } from '../check';

/** Thrown when a version file is larger than a check is willing to read into memory. */
export class FileTooLargeError extends Error {
  constructor(path: string, limit: number) {
    super(`${path} is larger than ${limit} bytes`);
    this.name = 'FileTooLargeError';
  }
}

/**
 * Reads a version file completely into memory, refusing files above
 * `maxBytes` (by declared size, and again while reading).
 */
export async function readCheckFile(
  file: GauntletCheckFile,
  maxBytes: number,
): Promise<Buffer> {
  if (file.size > maxBytes) throw new FileTooLargeError(file.path, maxBytes);
  const chunks: Buffer[] = [];
  let total = 0;
  const stream = await file.open();
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    total += buf.length;
    if (total > maxBytes) {
      (stream as { destroy?: () => void }).destroy?.();
      throw new FileTooLargeError(file.path, maxBytes);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/** Builds a result status from collected failures and warnings. */
export function statusOf(
  failures: string[],
  warnings: string[],
): 'pass' | 'warn' | 'fail' {
  if (failures.length > 0) return 'fail';
  if (warnings.length > 0) return 'warn';
  return 'pass';
}

/** Joins the first few messages into a one-line summary. */
export function headline(messages: string[], max = 3): string {
  const shown = messages.slice(0, max).join('; ');
  return messages.length > max
    ? `${shown}; and ${messages.length - max} more`
    : shown;
}
