/**
 * Optional shared-key auth for runs outside Azure ML (on Azure ML the endpoint's own key or
 * token auth sits in front). Off unless API_KEY is set. The key is read from `x-api-key` or
 * `Authorization: Bearer <key>`; both sides are hashed to fixed-length digests and compared
 * with `timingSafeEqual`, so neither the content nor the length of the key leaks through timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { HttpError } from './errors';

export const API_KEY_HEADER = 'x-api-key';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

export function apiKeyAuth(apiKey: string): (req: Request, res: Response, next: NextFunction) => void {
  const expected = digest(apiKey);
  return (req, _res, next) => {
    const header = req.headers[API_KEY_HEADER];
    const auth = req.headers.authorization;
    // The auth scheme is case-insensitive (RFC 9110 §11.1): `bearer <key>` counts too.
    const bearer = auth !== undefined ? /^bearer +(.+)$/i.exec(auth)?.[1] : undefined;
    const presented = typeof header === 'string' ? header : bearer;
    if (presented === undefined || !timingSafeEqual(digest(presented), expected)) {
      next(
        new HttpError(
          401,
          'unauthorized',
          `missing or wrong API key: send it in the ${API_KEY_HEADER} header`,
          undefined,
          {
            'www-authenticate': 'Bearer',
          },
        ),
      );
      return;
    }
    next();
  };
}
