import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MODEL_HUB_DIRECT_DOWNLOAD_HEADER } from '@internal/plugin-model-hub-common';
import { PortalClient, PortalError } from './portal';
import { describeS3Error } from './presigned';

/** What {@link downloadVerified} needs to know about the file. */
export interface ExpectedFile {
  path: string;
  sha256: string;
  size: number;
}

/**
 * Downloads one file to `target`, verified: bytes go to `target.part`; a
 * `.part` left by an interrupted run is continued with `Range` + `If-Range`
 * (the ETag is the SHA-256, so a changed file restarts from zero), the whole
 * SHA-256 and size are checked, and only then is the file renamed into
 * place. A mismatch deletes the `.part` and fails. Returns the bytes that
 * were already present. When the hub redirects to a presigned S3 URL (it
 * offers direct transfers), the bytes come from S3, without the portal's
 * token; the `Range` goes there, and the SHA-256 is verified all the same.
 */
export async function downloadVerified(
  client: PortalClient,
  url: string,
  file: ExpectedFile,
  target: string,
  onBytes: (n: number) => void,
): Promise<{ resumedFrom: number }> {
  const partial = `${target}.part`;
  const hash = createHash('sha256');
  let have = await fs
    .stat(partial)
    .then(s => (s.isFile() && s.size <= file.size ? s.size : 0))
    .catch(() => 0);
  const etag = `"${file.sha256}"`;
  const resume = have > 0 && have < file.size;
  let res = await client.request(url, {
    // Identity: weights are never worth compressing on the fly.
    headers: {
      'accept-encoding': 'identity',
      [MODEL_HUB_DIRECT_DOWNLOAD_HEADER]: 'redirect',
      ...(resume ? { range: `bytes=${have}-`, 'if-range': etag } : {}),
    },
    redirect: 'manual',
    allow: [307],
  });
  const direct = res.status === 307;
  if (direct) {
    // Content-addressed: the object behind the URL never changes, so the
    // Range needs no If-Range (S3's ETag is not our SHA-256 anyway).
    res = await fetchPresigned(
      res.headers.get('location') ?? '',
      resume ? { range: `bytes=${have}-` } : {},
      file.path,
    );
  }
  if (res.status === 206 && have > 0) {
    // Hash what is already on disk, then continue after it.
    for await (const chunk of createReadStream(partial, {
      end: have - 1,
      highWaterMark: 4 * 1024 * 1024,
    })) {
      hash.update(chunk as Buffer);
    }
    onBytes(have);
  } else {
    have = 0;
  }
  const served = direct ? null : res.headers.get('etag');
  let received = have;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      received += chunk.length;
      onBytes(chunk.length);
      cb(null, chunk);
    },
  });
  if (!res.body) {
    throw new PortalError(`the portal sent no body for ${file.path}`);
  }
  try {
    await pipeline(
      Readable.fromWeb(res.body as any, { highWaterMark: 1024 * 1024 }),
      meter,
      createWriteStream(partial, have > 0 ? { flags: 'a' } : { flags: 'w' }),
    );
  } catch (e) {
    // The .part stays: the next run continues it.
    throw new PortalError(
      `download of ${file.path} was interrupted after ${received} of ${
        file.size
      } bytes (${(e as Error).message}); run the same command again to resume`,
    );
  }
  const actual = hash.digest('hex');
  if (
    actual !== file.sha256 ||
    received !== file.size ||
    (served && served !== etag)
  ) {
    await fs.rm(partial, { force: true });
    throw new PortalError(
      `INTEGRITY FAILURE for ${file.path}: expected sha256 ${file.sha256} (${
        file.size
      } bytes), received sha256 ${actual} (${received} bytes)${
        served ? `, ETag ${served}` : ''
      }; the file was deleted`,
    );
  }
  await fs.rename(partial, target);
  return { resumedFrom: have };
}

/** GETs a presigned URL without portal credentials; one-line error when S3 refuses. */
async function fetchPresigned(
  location: string,
  headers: Record<string, string>,
  path: string,
): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(new URL(location), {
      headers: { 'accept-encoding': 'identity', ...headers },
    });
  } catch (e) {
    throw new PortalError(
      `cannot download ${path} from the artifact store: ${
        (e as Error & { cause?: Error }).cause?.message ?? (e as Error).message
      }`,
    );
  }
  if (!res.ok) {
    throw new PortalError(
      `the artifact store refused the download of ${path} (${
        res.status
      } ${describeS3Error(
        await res.text().catch(() => ''),
      )}); run the same command again for a fresh link`,
      res.status,
    );
  }
  return res;
}
