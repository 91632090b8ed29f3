/**
 * Per-request context: correlation id and start time, kept on `res.locals`.
 *
 * The correlation id is the client's `x-ms-client-request-id` when it is a safe token (Azure ML
 * passes it through but overwrites `x-request-id`, PITFALLS.md §7), else a fresh UUID. It is
 * echoed in the response header and in every error body, and it is the key that links a
 * generic 500 to its logged detail.
 */
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

export const CORRELATION_HEADER = 'x-ms-client-request-id';
const SAFE_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export interface RequestContext {
  readonly correlationId: string;
  /** performance.now() when the request reached the app. */
  readonly startedAt: number;
}

export function requestContext(req: Request, res: Response, next: NextFunction): void {
  const incoming = req.headers[CORRELATION_HEADER];
  const correlationId = typeof incoming === 'string' && SAFE_ID.test(incoming) ? incoming : randomUUID();
  res.locals.ctx = { correlationId, startedAt: performance.now() } satisfies RequestContext;
  res.setHeader(CORRELATION_HEADER, correlationId);
  next();
}

export function contextOf(res: Response): RequestContext {
  const ctx = res.locals.ctx as RequestContext | undefined;
  return ctx ?? { correlationId: 'unknown', startedAt: performance.now() };
}
