import { CustomErrorBase } from '@backstage/errors';

/** An upload is larger than `modelHub.artifacts.maxUploadBytes` (HTTP 413). */
export class PayloadTooLargeError extends CustomErrorBase {
  name = 'PayloadTooLargeError' as const;
  /** The HTTP status the error handler answers with. */
  readonly statusCode = 413;
}

/** An upload is sent in a media type or content coding the route does not store (HTTP 415). */
export class UnsupportedMediaTypeError extends CustomErrorBase {
  name = 'UnsupportedMediaTypeError' as const;
  /** The HTTP status the error handler answers with. */
  readonly statusCode = 415;
}
