/**
 * The one error handler, registered last (STYLE.md C.3). 4xx: the message passes through,
 * with field errors. 5xx: a generic body with the correlation id; the detail is logged and
 * sent to telemetry as an exception. Never echoes request bodies into the log.
 *
 * It must never throw: Express would then answer with its HTML fallback page (with a stack
 * trace and absolute paths unless the env is 'production'). So the answer is built inside a
 * try, and a failure there still answers a minimal JSON 500 with the correlation id.
 */
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../logger';
import type { InvalidReason, ServiceTelemetry } from '../telemetry/service-telemetry';
import { errorBody, fromForeignError, HttpError, type ErrorCode } from './errors';
import { contextOf } from './request-context';

const REASON: Partial<Record<ErrorCode, InvalidReason>> = {
  invalid_request: 'validation',
  invalid_json: 'invalid_json',
  payload_too_large: 'payload_too_large',
  unsupported_media_type: 'unsupported_media_type',
  unauthorized: 'unauthorized',
  not_found: 'not_found',
  method_not_allowed: 'method_not_allowed',
};

export function errorHandler(logger: Logger, telemetry: ServiceTelemetry) {
  // Express recognises error middleware by its four parameters.
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const { correlationId } = contextOf(res);
    const known = err instanceof HttpError ? err : fromForeignError(err);
    const httpError =
      known ?? new HttpError(500, 'internal_error', `internal error; quote correlation id ${correlationId}`);
    if (!known) {
      const error = err instanceof Error ? err : new Error(String(err));
      logger.error('request failed', { correlationId, method: req.method, path: req.path, err: error });
      telemetry.recordException(error, correlationId);
    } else if (httpError.status < 500) {
      const reason = httpError.reason ?? REASON[httpError.code];
      if (reason) telemetry.recordInvalid(reason);
      if (logger.enabled('debug')) {
        // Field names and rules only: values may be identifiers.
        logger.debug('request rejected', {
          correlationId,
          status: httpError.status,
          code: httpError.code,
          fields: httpError.fieldErrors?.slice(0, 20).map((e) => `${e.field}: ${e.rule}`),
        });
      }
    }
    if (res.headersSent) {
      // The answer is already on the wire; all we can do is not leave the socket half-written.
      res.destroy();
      return;
    }
    let answer = httpError;
    let body: string;
    try {
      body = JSON.stringify(errorBody(answer, correlationId));
    } catch (bodyError) {
      logger.error('error body failed', { correlationId, err: bodyError });
      answer = new HttpError(500, 'internal_error', `internal error; quote correlation id ${correlationId}`);
      body = JSON.stringify(errorBody(answer, correlationId));
    }
    if (answer.headers) for (const [k, v] of Object.entries(answer.headers)) res.setHeader(k, v);
    res.status(answer.status).setHeader('content-type', 'application/json; charset=utf-8');
    res.end(body);
  };
}
