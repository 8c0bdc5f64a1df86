import { createHash } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { UrlReaderService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';

/** An artifact input: a URL (or `data:` URL), or a URL with its path in the version. */
export type ArtifactInput = string | { url: string; path?: string };

/** A planned upload: where the bytes come from and where they go. */
export type ArtifactSource =
  | {
      kind: 'data';
      /** Path inside the version. */
      path: string;
      /** Short description for logs and errors (never the whole data URL). */
      label: string;
      bytes: Buffer;
    }
  | {
      kind: 'url';
      path: string;
      label: string;
      url: string;
    };

/** A decoded `data:` URL. */
export interface DataUrl {
  mediaType: string;
  /** The `name=` parameter that rjsf's file widget adds, URI-decoded. */
  name?: string;
  bytes: Buffer;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Decodes a `data:` URL, including the form rjsf's file widget produces
 * (`data:<mime>;name=<file name>;base64,<data>`). Malformed URLs (no comma,
 * invalid base64 or percent-encoding) are an InputError.
 */
export function parseDataUrl(url: string, field: string): DataUrl {
  const comma = url.indexOf(',');
  if (!url.startsWith('data:') || comma < 0) {
    throw new InputError(
      `${field} is not a valid data URL: expected data:<type>[;name=<file>][;base64],<data>`,
    );
  }
  const params = url.slice('data:'.length, comma).split(';');
  const mediaType = params.shift() || 'text/plain';
  const base64 = params[params.length - 1] === 'base64';
  if (base64) params.pop();
  let name: string | undefined;
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq > 0 && param.slice(0, eq).toLocaleLowerCase('en-US') === 'name') {
      name = decodeComponent(param.slice(eq + 1), field);
    }
  }
  const data = url.slice(comma + 1);
  let bytes: Buffer;
  if (base64) {
    const compact = data.replace(/\s+/g, '');
    if (!BASE64.test(compact) || compact.length % 4 !== 0) {
      throw new InputError(
        `${field} is not a valid data URL: its base64 data is malformed`,
      );
    }
    bytes = Buffer.from(compact, 'base64');
  } else {
    bytes = Buffer.from(decodeComponent(data, field), 'utf8');
  }
  return { mediaType, name, bytes };
}

function decodeComponent(value: string, field: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new InputError(
      `${field} is not a valid data URL: malformed percent-encoding`,
    );
  }
}

/** The last path segment of a URL, decoded; undefined when there is none. */
function lastSegment(url: URL): string | undefined {
  const segment = url.pathname.split('/').filter(Boolean).pop();
  if (!segment) return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * Resolves one artifact input into a planned upload: decodes data URLs,
 * checks that other values are absolute URLs, and works out the path in the
 * version (explicit, else the upload's file name, else the URL's last path
 * segment).
 */
export function planArtifact(
  input: ArtifactInput,
  field: string,
  explicitPath?: string,
): ArtifactSource {
  const entry = typeof input === 'string' ? { url: input } : input;
  const url = String(entry?.url ?? '').trim();
  const wanted = (explicitPath ?? entry?.path)?.trim() || undefined;
  if (!url) {
    throw new InputError(`${field} has no URL`);
  }
  if (url.startsWith('data:')) {
    const decoded = parseDataUrl(url, field);
    const path = wanted ?? decoded.name;
    if (!path) {
      throw new InputError(
        `${field} is a data URL without a file name; give it a path`,
      );
    }
    return {
      kind: 'data',
      path,
      label: `${field} (uploaded file ${decoded.name ?? path})`,
      bytes: decoded.bytes,
    };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InputError(
      `${field} "${url}" is not an absolute URL or a data: URL`,
    );
  }
  const path = wanted ?? lastSegment(parsed);
  if (!path) {
    throw new InputError(
      `${field} "${url}" has no file name in its path; give it a path`,
    );
  }
  return { kind: 'url', path, label: url, url };
}

/** Rejects two artifacts with the same path in the version. */
export function assertUniquePaths(sources: ArtifactSource[]): void {
  const seen = new Map<string, string>();
  for (const source of sources) {
    const previous = seen.get(source.path);
    if (previous !== undefined) {
      throw new InputError(
        `Two artifacts would be stored at the same path "${source.path}": ${previous} and ${source.label}; give one of them another path`,
      );
    }
    seen.set(source.path, source.label);
  }
}

/** The bytes of an artifact ready to be sent, with what is known of them in advance. */
export interface OpenedArtifact {
  body: Buffer | Readable;
  /** Known before sending for data URLs; for streams, once the stream ended. */
  size(): number;
  sha256(): string;
  /** The error the source stream failed with, if it did. */
  sourceError(): Error | undefined;
}

/**
 * Opens an artifact for upload. URLs are read through the url reader (so
 * `backend.reading.allow` applies) and streamed, hashed on the way; any
 * reading failure is an InputError naming the URL and the reason.
 */
export async function openArtifact(
  source: ArtifactSource,
  urlReader: UrlReaderService,
): Promise<OpenedArtifact> {
  if (source.kind === 'data') {
    const sha256 = createHash('sha256').update(source.bytes).digest('hex');
    return {
      body: source.bytes,
      size: () => source.bytes.length,
      sha256: () => sha256,
      sourceError: () => undefined,
    };
  }
  let stream: Readable;
  try {
    const response = await urlReader.readUrl(source.url);
    stream = response.stream
      ? response.stream()
      : Readable.from([await response.buffer()]);
  } catch (e) {
    throw new InputError(
      `Could not read artifact ${source.url}: ${(e as Error).message}`,
    );
  }
  const hash = createHash('sha256');
  let size = 0;
  let failure: Error | undefined;
  const counted = new PassThrough();
  stream.on('data', (chunk: Buffer) => {
    hash.update(chunk);
    size += chunk.length;
  });
  stream.on('error', e => {
    failure = e;
    counted.destroy(
      new InputError(`Could not read artifact ${source.url}: ${e.message}`),
    );
  });
  stream.pipe(counted);
  let digest: string | undefined;
  return {
    body: counted,
    size: () => size,
    sha256: () => {
      digest ??= hash.digest('hex');
      return digest;
    },
    sourceError: () => failure,
  };
}
