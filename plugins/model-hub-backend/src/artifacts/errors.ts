import { CustomErrorBase } from '@backstage/errors';

/** An upload is larger than `modelHub.artifacts.maxUploadBytes` (HTTP 413). */
export class PayloadTooLargeError extends CustomErrorBase {
  name = 'PayloadTooLargeError' as const;
  /** The HTTP status the error handler answers with. */
  readonly statusCode = 413;
}
