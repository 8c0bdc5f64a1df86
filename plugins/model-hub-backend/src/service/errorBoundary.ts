import { randomBytes } from 'node:crypto';
import {
  HttpRouterService,
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { ErrorResponseBody, isError, toError } from '@backstage/errors';
import { ErrorRequestHandler, Handler } from 'express';
import Router from 'express-promise-router';

/**
 * Whether error bodies may carry internal detail (messages of unexpected
 * errors, stacks): `modelHub.errors.exposeInternal`, by default only when
 * NODE_ENV is `development`.
 */
export function readExposeInternalErrors(config: RootConfigService): boolean {
  return (
    config.getOptionalBoolean('modelHub.errors.exposeInternal') ??
    process.env.NODE_ENV === 'development'
  );
}

const REPRESENTATION_HEADERS = [
  'Content-Type',
  'Content-Length',
  'Content-Disposition',
  'Content-Range',
  'Content-Encoding',
  'ETag',
  'Accept-Ranges',
];

/** Options of {@link createErrorBoundary}. */
export interface ErrorBoundaryOptions {
  logger: LoggerService;
  /** Let Backstage's own handler answer (message and, in development, stack). */
  exposeInternal: boolean;
}

/** The one line a caller gets for an error that is not a deliberate refusal. */
export function internalErrorMessage(requestId: string): string {
  return `Internal error in Model Hub (request ${requestId}); the portal log has the details`;
}

/**
 * What a caller may see of an error: a deliberate 4xx refusal as it is
 * (`@backstage/errors` and the hub's own error classes, http-errors marked
 * `expose`, 4xx answers of other services); anything else is logged with its
 * stack under a new request id and replaced by one line naming that id.
 */
export function hideInternalError(
  raw: unknown,
  req: { method: string; originalUrl?: string; url: string },
  options: ErrorBoundaryOptions,
): Error {
  const error = isError(raw) ? raw : toError(raw);
  const status = statusOf(error);
  if (
    options.exposeInternal ||
    (status >= 400 && status < 500 && deliberateMessage(error) !== undefined) ||
    // a 5xx written for the caller (an upstream source unreachable, src/ingestImport)
    (error as { expose?: unknown }).expose === true
  ) {
    return error;
  }
  const requestId = randomBytes(8).toString('hex');
  options.logger
    .child({ type: 'modelHubErrorBoundary', requestId })
    .error(
      `${req.method} ${
        req.originalUrl ?? req.url
      } failed with status ${status} (request ${requestId})`,
      error,
    );
  const hidden = Object.assign(new Error(internalErrorMessage(requestId)), {
    statusCode: status,
  });
  delete hidden.stack;
  return hidden;
}

/**
 * Backstage's error handler answers an unexpected error with its message
 * (ENOENT with absolute paths, SQLite errors with SQL). This one answers
 * with {@link hideInternalError}: deliberate refusals keep their first line
 * (without "caused by" details), anything else is one line with a request id.
 */
export function createErrorBoundary(
  options: ErrorBoundaryOptions,
): ErrorRequestHandler {
  return (raw, req, res, next) => {
    if (res.headersSent) {
      next(raw);
      return;
    }
    // A route that failed after describing its payload (a download sets
    // type, length and disposition before opening the file) must not turn
    // the error body into an "attachment" of the wrong type.
    for (const header of REPRESENTATION_HEADERS) res.removeHeader(header);
    if (options.exposeInternal) {
      next(raw);
      return;
    }
    const shown = hideInternalError(raw, req, options);
    const status = statusOf(shown);
    const body: ErrorResponseBody = {
      error: {
        name: shown.name,
        message: deliberateMessage(shown) ?? shown.message,
      },
      request: { method: req.method, url: req.originalUrl },
      response: { statusCode: status },
    };
    res.status(status).json(body);
  };
}

/**
 * Mounts the plugin's routers in front of {@link createErrorBoundary}: every
 * handler given to the returned router's `use`, whenever it is added, ends
 * up before the boundary.
 */
export function withErrorBoundary(
  httpRouter: HttpRouterService,
  options: ErrorBoundaryOptions,
): HttpRouterService {
  const routes = Router();
  httpRouter.use(routes);
  httpRouter.use(createErrorBoundary(options) as unknown as Handler);
  // The other methods (auth policies, websockets) are the plugin router's.
  return { ...httpRouter, use: handler => void routes.use(handler) };
}

const KNOWN_STATUS: Record<string, number> = {
  InputError: 400,
  AuthenticationError: 401,
  NotAllowedError: 403,
  NotFoundError: 404,
  ConflictError: 409,
  NotModifiedError: 304,
  NotImplementedError: 501,
  ServiceUnavailableError: 503,
};

function statusOf(error: Error): number {
  for (const field of ['statusCode', 'status']) {
    const value = (error as unknown as Record<string, unknown>)[field];
    if (Number.isInteger(value) && Number(value) >= 100 && Number(value) < 600)
      return Number(value);
  }
  return KNOWN_STATUS[error.name] ?? 500;
}

/**
 * Errors whose 4xx message is written for the caller. By name, not by
 * `instanceof`: the backend, the common package and Backstage's own packages
 * each load their own copy of `@backstage/errors`.
 */
const DELIBERATE = new Set([
  'InputError',
  'AuthenticationError',
  'NotAllowedError',
  'NotFoundError',
  'ConflictError',
  'NotModifiedError',
  'PayloadTooLargeError',
  'UnsupportedMediaTypeError',
  // another service's 4xx answer, as the Backstage clients throw it
  'ResponseError',
]);

/** The caller-facing line of a deliberate 4xx, or undefined when it is not one. */
function deliberateMessage(error: Error): string | undefined {
  const isDeliberate =
    DELIBERATE.has(error.name) ||
    // body-parser and other http-errors mark messages meant for clients
    (error as { expose?: unknown }).expose === true;
  if (!isDeliberate) {
    return undefined;
  }
  const line = firstLine(error.message);
  // Another service's answer: its status line, then its own one-line reason.
  const remote = (error as { cause?: { message?: unknown } }).cause?.message;
  if (error.name === 'ResponseError' && typeof remote === 'string') {
    return firstLine(remote) ? `${line}: ${firstLine(remote)}` : line;
  }
  return line || undefined;
}

function firstLine(message: unknown): string {
  // CustomErrorBase appends "; caused by <cause>", which may be internal.
  const [own] = String(message).split('; caused by ');
  return own.split('\n')[0].trim();
}
