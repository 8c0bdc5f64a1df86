import type { TransferTransport } from './multipart';
import { PresignedTransferError, putPresignedPart } from './presigned';

/** What the hub answers about a direct upload: presigned part URLs. */
export interface DirectTargets {
  parts: Array<{ number: number; url: string }>;
}

/**
 * Sends parts straight to S3 through the presigned URLs the hub handed out
 * (asked for again, once, when S3 refuses one as expired), then reports
 * each part's size, SHA-256 and ETag to the hub; the bytes never pass
 * through the hub, which verifies the whole file when it is completed.
 */
export class DirectParts {
  readonly #transport: TransferTransport;
  readonly #uploadPath: string;
  #urls: Map<number, string>;

  /** `uploadPath` is the upload's hub route (`…/uploads/<id>`). */
  constructor(
    transport: TransferTransport,
    uploadPath: string,
    targets: DirectTargets,
  ) {
    this.#transport = transport;
    this.#uploadPath = uploadPath;
    this.#urls = urlsOf(targets);
  }

  /** Sends bytes `start..end` of `file` as part `n` and reports it. */
  async send(
    n: number,
    sha256: string,
    file: string,
    start: number,
    end: number,
    onBytes?: (n: number) => void,
  ): Promise<void> {
    let sent = 0;
    const count = (b: number) => {
      sent += b;
      onBytes?.(b);
    };
    let etag: string;
    try {
      etag = await putPresignedPart(this.#url(n), file, start, end, count);
    } catch (e) {
      if (!(e instanceof PresignedTransferError) || e.status !== 403) throw e;
      // Most likely expired: fresh URLs, one more try.
      onBytes?.(-sent);
      const fresh = await this.#transport.json<{ direct?: DirectTargets }>(
        'GET',
        this.#uploadPath,
      );
      this.#urls = urlsOf(fresh.direct);
      etag = await putPresignedPart(this.#url(n), file, start, end, onBytes);
    }
    await this.#transport.json('POST', `${this.#uploadPath}/direct-parts`, {
      number: n,
      size: end - start + 1,
      sha256,
      etag,
    });
  }

  #url(n: number): string {
    const url = this.#urls.get(n);
    if (!url) {
      throw new PresignedTransferError(
        `the hub offered no S3 URL for part ${n}; run the same command again`,
      );
    }
    return url;
  }
}

function urlsOf(targets: DirectTargets | undefined): Map<number, string> {
  return new Map((targets?.parts ?? []).map(p => [p.number, p.url]));
}
