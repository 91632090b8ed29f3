/**
 * The one error vocabulary of the HTTP API. Every non-2xx answer is JSON:
 * `{"error": <code>, "message": <text>, "correlationId": <id>, "errors"?: [{field, value, rule}]}`.
 * 4xx messages pass through to the client; 5xx bodies stay generic (the detail goes to the log
 * under the same correlation id).
 */
import type { FieldError } from '../../model/schema';
import type { InvalidReason } from '../telemetry/service-telemetry';

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
  | 'request_timeout'
  | 'headers_too_large'
  | 'expectation_failed'
  | 'internal_error';

/**
 * An error with a status, a stable code and an optional list of field errors.
 * `reason` is the `scoring_invalid_requests` metric dimension when it is more specific than the
 * code (e.g. `batch_too_large` for an `invalid_request`); it is set where the error is raised,
 * so metrics never depend on message text. @default - derived from `code` by the error handler
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly fieldErrors?: readonly FieldError[],
    readonly headers?: Readonly<Record<string, string>>,
    readonly reason?: InvalidReason,
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
    // Never JSON.stringify a client's object whole: 5,000 levels of nesting in a 10 KB body
    // overflow the stack (inside the error handler, issue 9 C). `preview` stops at the budget.
    const cut = { truncated: false };
    const s = preview(v, MAX_ECHOED_STRING + 1, cut);
    if (s.length > MAX_ECHOED_STRING) return `${s.slice(0, MAX_ECHOED_STRING)}…`;
    return cut.truncated ? s : v; // small and shallow: echoed as the client sent it
  }
  return v;
}

/**
 * JSON-like text of `v`, cut after about `budget` characters and `MAX_PREVIEW_DEPTH` levels
 * (deeper levels print as `…`). Work and recursion are bounded whatever the input's depth.
 */
export function preview(v: unknown, budget: number, cut = { truncated: false }, depth = 0): string {
  if (v === null || typeof v !== 'object') {
    if (typeof v === 'string') {
      if (v.length > budget) cut.truncated = true;
      return JSON.stringify(v.length > budget ? v.slice(0, budget) : v);
    }
    if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
    return v === undefined ? 'null' : String(v);
  }
  if (depth >= MAX_PREVIEW_DEPTH) {
    cut.truncated = true;
    return Array.isArray(v) ? '[…]' : '{…}';
  }
  const isArray = Array.isArray(v);
  let out = isArray ? '[' : '{';
  let first = true;
  for (const key of isArray ? v.keys() : Object.keys(v)) {
    if (out.length >= budget) {
      cut.truncated = true;
      return `${out}…`;
    }
    const item = (v as Record<string | number, unknown>)[key];
    out += `${first ? '' : ','}${isArray ? '' : `${JSON.stringify(String(key).slice(0, budget))}:`}`;
    out += preview(item, budget - out.length, cut, depth + 1);
    first = false;
  }
  return `${out}${isArray ? ']' : '}'}`;
}

/** Object levels shown in an echoed value. */
const MAX_PREVIEW_DEPTH = 4;

/** The JSON body for an HttpError. */
export function errorBody(err: HttpError, correlationId: string): Record<string, unknown> {
  const body: Record<string, unknown> = { error: err.code, message: err.message, correlationId };
  if (err.fieldErrors && err.fieldErrors.length > 0) {
    body.errors = err.fieldErrors.slice(0, MAX_ECHOED_FIELD_ERRORS).map(echoFieldError);
    body.errorCount = err.fieldErrors.length;
  }
  return body;
}

/** Why a request body could not be read or parsed (raised by json-body.ts). */
export type BodyFailure =
  | { readonly kind: 'too_large'; readonly limitBytes: number }
  | { readonly kind: 'unsupported_encoding'; readonly encoding: string }
  /** The client went away mid-body, or sent fewer bytes than its Content-Length. */
  | { readonly kind: 'incomplete' }
  /** A corrupt gzip, deflate or br stream. */
  | { readonly kind: 'undecodable' }
  | { readonly kind: 'invalid_json' };

/**
 * The answer to each body failure: the statuses, codes and messages body-parser's errors were
 * mapped to before the service read bodies itself (clients and tests rely on them).
 */
export function bodyError(failure: BodyFailure): HttpError {
  switch (failure.kind) {
    case 'invalid_json':
      return new HttpError(
        400,
        'invalid_json',
        'request body must be valid JSON (NaN and Infinity are not JSON: send null for a missing optional value)',
      );
    case 'too_large':
      return new HttpError(
        413,
        'payload_too_large',
        `request body exceeds the limit of ${failure.limitBytes} bytes`,
      );
    case 'unsupported_encoding':
      return new HttpError(
        415,
        'unsupported_media_type',
        `content-encoding ${failure.encoding.slice(0, 100)} is not supported; use identity, gzip, deflate or br`,
      );
    case 'incomplete':
      return new HttpError(400, 'invalid_request', 'request body could not be read completely');
    case 'undecodable':
      return new HttpError(400, 'invalid_request', 'request body could not be decoded');
  }
}

/**
 * A 4xx error raised by the HTTP stack itself (an Express or router error carrying `status`)
 * keeps its status as a JSON `invalid_request`; undefined for anything else (a 500).
 * Express's default would answer HTML (PITFALLS.md §5).
 */
export function fromForeignError(err: unknown): HttpError | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const status = (err as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new HttpError(status, 'invalid_request', 'request could not be processed');
  }
  return undefined;
}
