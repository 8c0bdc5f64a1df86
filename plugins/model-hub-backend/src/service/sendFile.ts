import { pipeline } from 'node:stream/promises';
import { Request, Response } from 'express';
// Only the transfer module: the package index loads the scanners too.
// eslint-disable-next-line @backstage/no-forbidden-package-imports
import { FileRangeStream } from '@internal/plugin-model-hub-node/src/transfer';
import { ModelVersionService } from '../versions/ModelVersionService';
import { etagMatches, parseRange } from './http';

/**
 * Sends one stored file of a version (GET or HEAD): `ETag` = quoted SHA-256,
 * `If-None-Match`, one byte `Range` (with `If-Range`), `Accept-Ranges`, and
 * `no-transform` so nothing compresses the bytes on the way. Every download
 * route of the hub (its own file route and the Hugging Face `resolve` route)
 * goes through here, so they behave the same.
 */
export async function sendFile(
  req: Request,
  res: Response,
  file: { sha256: string; size: number; path: string },
  versions: Pick<ModelVersionService, 'readFile'>,
): Promise<void> {
  const etag = `"${file.sha256}"`;
  res.setHeader('ETag', etag);
  res.setHeader('Accept-Ranges', 'bytes');
  // no-transform: compression middleware and proxies must pass weights as
  // stored (gzip of a GiB crawls, and would break ETag = SHA-256 + Range).
  res.setHeader('Cache-Control', 'private, no-cache, no-transform');
  const name = file.path.split('/').pop()!;
  res.setHeader(
    'Content-Disposition',
    `attachment; filename*=UTF-8''${encodeURIComponent(name)}`,
  );
  if (etagMatches(req.headers['if-none-match'], etag)) {
    res.status(304).end();
    return;
  }
  const ifRange = req.headers['if-range'];
  const rangeHeader =
    ifRange === undefined || ifRange === etag ? req.headers.range : undefined;
  const range = parseRange(rangeHeader, file.size);
  if (range === 'unsatisfiable') {
    res.setHeader('Content-Range', `bytes */${file.size}`);
    res.status(416).end();
    return;
  }
  res.setHeader('Content-Type', 'application/octet-stream');
  if (range) {
    res.status(206);
    res.setHeader(
      'Content-Range',
      `bytes ${range.start}-${range.end}/${file.size}`,
    );
    res.setHeader('Content-Length', String(range.end - range.start + 1));
  } else {
    res.status(200);
    res.setHeader('Content-Length', String(file.size));
  }
  if (req.method === 'HEAD' || file.size === 0) {
    res.end();
    return;
  }
  const body = await versions.readFile(file, range ?? undefined);
  const length = range ? range.end - range.start + 1 : file.size;
  let handedOver = 0;
  const count = (n: number) => {
    handedOver += n;
  };
  const local = body instanceof FileRangeStream;
  try {
    if (local) {
      // A stored file: read into two reused page-aligned buffers, each
      // chunk sent while the next is read (no buffer per chunk to collect).
      await body.writeTo(res, count);
    } else {
      body.on('data', (chunk: Buffer) => count(chunk.length));
      await pipeline(body, res);
    }
  } catch (error) {
    // A client that closes its connection as soon as it holds the last byte
    // (Content-Length says when) can close before the response has ended:
    // pipeline calls that a premature close (writeTo, a close before the
    // last write was confirmed) although every byte was handed to the
    // connection. That download is complete, and callers record it.
    if (
      handedOver === length &&
      (local ||
        (error as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE')
    ) {
      return;
    }
    // writeTo leaves the response open: end the connection, short.
    res.destroy();
    throw error;
  }
}
