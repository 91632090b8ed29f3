/**
 * The one error vocabulary of the HTTP API. Every non-2xx answer is JSON:
 * `{"error": <code>, "message": <text>, "correlationId": <id>, "errors"?: [{field, value, rule}]}`.
 * 4xx messages pass through to the client; 5xx bodies stay generic (the detail goes to the log
 * under the same correlation id).
 */
import type { FieldError } from '../../model/schema';

export type ErrorCode =
  | 'invalid_request'
  | 'invalid_json'
  | 'unauthorized'
  | 'not_found'
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'not_ready'
  | 'shutting_down'
  | 'internal_error';

/** An error with a status, a stable code and an optional list of field errors. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly fieldErrors?: readonly FieldError[],
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** At most this many field errors are echoed; the total is always reported. */
export const MAX_ECHOED_FIELD_ERRORS = 50;
/** Echoed string values are cut to this many characters (a 1 MB string is not echoed back). */
const MAX_ECHOED_STRING = 64;

/** Makes a FieldError safe to echo: long strings and big objects are shortened. */
export function echoFieldError(e: FieldError): { field: string; value: unknown; rule: string } {
  return { field: e.field, value: shorten(e.value), rule: e.rule };
}

function shorten(v: unknown): unknown {
  if (typeof v === 'string') return v.length > MAX_ECHOED_STRING ? `${v.slice(0, MAX_ECHOED_STRING)}…` : v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v); // JSON has no Infinity
  if (v === undefined) return null;
  if (typeof v === 'object' && v !== null) {
    const s = JSON.stringify(v);
    return s.length > MAX_ECHOED_STRING ? `${s.slice(0, MAX_ECHOED_STRING)}…` : v;
  }
  return v;
}

/** The JSON body for an HttpError. */
export function errorBody(err: HttpError, correlationId: string): Record<string, unknown> {
  const body: Record<string, unknown> = { error: err.code, message: err.message, correlationId };
  if (err.fieldErrors && err.fieldErrors.length > 0) {
    body.errors = err.fieldErrors.slice(0, MAX_ECHOED_FIELD_ERRORS).map(echoFieldError);
    body.errorCount = err.fieldErrors.length;
  }
  return body;
}

/** body-parser / raw-body error shapes (`err.type`) that Express 5 hands to error middleware. */
interface ParserError {
  type?: unknown;
  status?: unknown;
  limit?: unknown;
  charset?: unknown;
  encoding?: unknown;
}

/**
 * Maps a body-parser error to an HttpError, or undefined when `err` is not one.
 * Express's default would answer HTML (PITFALLS.md §5).
 */
export function fromBodyParserError(err: unknown): HttpError | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as ParserError;
  switch (e.type) {
    case 'entity.parse.failed':
      return new HttpError(
        400,
        'invalid_json',
        'request body must be valid JSON (NaN and Infinity are not JSON: send null for a missing optional value)',
      );
    case 'entity.too.large':
      return new HttpError(
        413,
        'payload_too_large',
        `request body exceeds the limit of ${String(e.limit)} bytes`,
      );
    case 'charset.unsupported':
      return new HttpError(
        415,
        'unsupported_media_type',
        `charset ${String(e.charset)} is not supported; use utf-8`,
      );
    case 'encoding.unsupported':
      return new HttpError(
        415,
        'unsupported_media_type',
        `content-encoding ${String(e.encoding)} is not supported; use identity, gzip or deflate`,
      );
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
    case 'stream.not.readable':
      return new HttpError(400, 'invalid_request', 'request body could not be read completely');
    case 'parameters.too.many':
      return new HttpError(413, 'payload_too_large', 'request has too many parameters');
    default:
      // Other 4xx errors from the HTTP stack (e.g. a bad gzip stream) keep their status.
      if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
        return new HttpError(e.status, 'invalid_request', 'request body could not be decoded');
      }
      return undefined;
  }
}
