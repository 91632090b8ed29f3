/**
 * The one error handler, registered last (STYLE.md C.3). 4xx: the message passes through,
 * with field errors. 5xx: a generic body with the correlation id; the detail is logged and
 * sent to telemetry as an exception. Never echoes request bodies into the log.
 */
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../logger';
import type { InvalidReason, ServiceTelemetry } from '../telemetry/service-telemetry';
import { errorBody, fromBodyParserError, HttpError, type ErrorCode } from './errors';
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
    const known = err instanceof HttpError ? err : fromBodyParserError(err);
    const httpError =
      known ?? new HttpError(500, 'internal_error', `internal error; quote correlation id ${correlationId}`);
    if (!known) {
      const error = err instanceof Error ? err : new Error(String(err));
      logger.error('request failed', { correlationId, method: req.method, path: req.path, err: error });
      telemetry.recordException(error, correlationId);
    } else if (httpError.status < 500) {
      const isBatchLimit = httpError.fieldErrors?.some(
        (e) => e.field === 'instances' && e.rule.includes('MAX_BATCH'),
      );
      const reason = isBatchLimit ? 'batch_too_large' : REASON[httpError.code];
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
    if (httpError.headers) for (const [k, v] of Object.entries(httpError.headers)) res.setHeader(k, v);
    res.status(httpError.status).json(errorBody(httpError, correlationId));
  };
}
