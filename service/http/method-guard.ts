/** 405 (with an Allow header) for a known path called with the wrong method. */
import type { NextFunction, Request, Response } from 'express';
import { HttpError } from './errors';

export function methodNotAllowed(
  allowed: readonly string[],
): (req: Request, res: Response, next: NextFunction) => void {
  const allow = allowed.join(', ');
  return (req, _res, next) =>
    next(
      new HttpError(
        405,
        'method_not_allowed',
        `${req.method} is not allowed on ${req.path.slice(0, 200)}; use ${allow}`,
        undefined,
        {
          allow,
        },
      ),
    );
}

export function notFound(req: Request, _res: Response, next: NextFunction): void {
  next(
    new HttpError(
      404,
      'not_found',
      `no route ${req.method} ${req.path.slice(0, 200)}; see GET /metadata for the API`,
    ),
  );
}
