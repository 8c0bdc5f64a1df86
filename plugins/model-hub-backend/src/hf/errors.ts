import { LoggerService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import { ErrorRequestHandler } from 'express';

/** The `X-Error-Code` values Hugging Face clients turn into typed errors. */
export type HfErrorCode = 'RepoNotFound' | 'RevisionNotFound' | 'EntryNotFound';

/** A 404 that tells Hugging Face clients what was missing. */
export class HfNotFoundError extends NotFoundError {
  readonly errorCode: HfErrorCode;

  constructor(errorCode: HfErrorCode, message: string) {
    super(message);
    this.errorCode = errorCode;
  }
}

const STATUS_BY_NAME: Record<string, number> = {
  InputError: 400,
  AuthenticationError: 401,
  NotAllowedError: 403,
  NotFoundError: 404,
  ConflictError: 409,
  NotModifiedError: 304,
};

/**
 * Answers errors the way the Hugging Face Hub does: `{"error": "<one
 * line>"}` with `X-Error-Message` (and `X-Error-Code` for a missing repo,
 * revision or file), which `huggingface_hub` and `@huggingface/hub` read to
 * show the reason. Unexpected errors are logged with their stack and
 * answered with a generic line.
 */
export function hfErrorHandler(logger: LoggerService): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const status = STATUS_BY_NAME[error?.name] ?? 500;
    const message =
      status === 500
        ? 'Internal error in the Model Hub; see the portal logs'
        : String(error.message).split('\n')[0];
    if (status === 500) {
      logger.error(
        `HF endpoint ${req.method} ${req.originalUrl} failed`,
        error,
      );
    }
    if (error instanceof HfNotFoundError) {
      res.setHeader('X-Error-Code', error.errorCode);
    }
    // Header values must be Latin-1; the JSON body keeps the full text.
    res.setHeader('X-Error-Message', message.replace(/[^\x20-\x7e]/g, '?'));
    res.status(status).json({ error: message });
  };
}
