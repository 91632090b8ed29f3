/**
 * The Express app, built from its dependencies and never listening (STYLE.md C.1): server.ts
 * listens, tests listen on an ephemeral 127.0.0.1 port.
 *
 * Routes: POST /score, GET /health/live, GET /health/ready, GET /metadata, and the original
 * project's routes kept for its clients (issue 9 A): POST /predict (the same chain as /score:
 * validation, answers, telemetry), GET /health (`{"status":"healthy"}` once ready, the readiness
 * rule) and GET / (a small JSON message). Every other path is a JSON 404, every wrong method on a
 * known path a JSON 405.
 */
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { ServiceConfig } from './config';
import { apiKeyAuth } from './http/api-key-auth';
import { errorHandler } from './http/error-handler';
import { HttpError } from './http/errors';
import { jsonBody } from './http/json-body';
import {
  legacyHealthHandler,
  liveHandler,
  metadataHandler,
  readyHandler,
  rootHandler,
} from './http/info-routes';
import { methodNotAllowed, notFound } from './http/method-guard';
import { contextOf, requestContext } from './http/request-context';
import { scoreHandler } from './http/score-route';
import type { Logger } from './logger';
import type { ServingState } from './scoring/serving-state';
import { ServiceTelemetry } from './telemetry/service-telemetry';

export interface AppDeps {
  readonly config: Pick<ServiceConfig, 'deploymentName' | 'maxBatch' | 'bodyLimitBytes' | 'apiKey'>;
  /** Model and lifecycle phase; may still be loading when the app starts serving. */
  readonly state: ServingState;
  readonly logger: Logger;
  /** @default - telemetry off */
  readonly telemetry?: ServiceTelemetry;
}

export function buildApp(deps: AppDeps): Express {
  const { config, state, logger } = deps;
  const telemetry = deps.telemetry ?? new ServiceTelemetry({ deploymentName: config.deploymentName, logger });
  const app = express();
  // No ETag hashing of every JSON answer, no framework banner, no query-string parsing.
  app.set('etag', false);
  app.set('x-powered-by', false);
  app.set('query parser', false);
  // Express's fallback error page shows stack traces unless the app's env is 'production'. Our
  // error handler answers every error as JSON and never throws, so the fallback is not reached;
  // this is the second line of defence, set on the app instead of relying on NODE_ENV.
  app.set('env', 'production');

  app.use(requestContext);
  if (logger.enabled('debug')) {
    // Request start (headers parsed), for debugging and for tests that must know a request
    // reached the server. Method and path only: bodies may carry identifiers.
    app.use((req: Request, res: Response, next: NextFunction) => {
      logger.debug('request', {
        correlationId: contextOf(res).correlationId,
        method: req.method,
        path: req.path.slice(0, 100),
      });
      next();
    });
  }
  app.use((_req: Request, res: Response, next: NextFunction) => {
    // Once the drain has closed the listener, answers close their connection so clients
    // reconnect elsewhere (see ServingState.closingConnections).
    if (state.closingConnections) res.setHeader('connection', 'close');
    next();
  });

  const auth = config.apiKey ? [apiKeyAuth(config.apiKey)] : [];
  const requireJson = (req: Request, _res: Response, next: NextFunction): void => {
    const got = req.headers['content-type'] ?? 'none';
    if (!req.is('application/json')) {
      next(
        new HttpError(
          415,
          'unsupported_media_type',
          `content-type must be application/json, got ${got.slice(0, 100)}`,
        ),
      );
      return;
    }
    // The API reads UTF-8 only (docs/service.md); json-body.ts decodes nothing else.
    const charset = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(got)?.[1]?.toLowerCase();
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      next(
        new HttpError(
          415,
          'unsupported_media_type',
          `charset ${charset.slice(0, 40)} is not supported; use utf-8`,
        ),
      );
      return;
    }
    next();
  };
  // Our own reader, not express.json: same contract, without its decode cost (json-body.ts).
  const parseJson = jsonBody({ limitBytes: config.bodyLimitBytes });

  const score = scoreHandler({
    state,
    telemetry,
    deploymentName: config.deploymentName,
    maxBatch: config.maxBatch,
  });
  // /predict is the original clients' path: the very same chain as /score.
  for (const scorePath of ['/score', '/predict']) {
    app
      .route(scorePath)
      .post(...auth, requireJson, parseJson, score)
      .all(methodNotAllowed(['POST']));
  }
  app
    .route('/health/live')
    .get(liveHandler)
    .all(methodNotAllowed(['GET', 'HEAD']));
  app
    .route('/health/ready')
    .get(readyHandler(state))
    .all(methodNotAllowed(['GET', 'HEAD']));
  app
    .route('/health')
    .get(legacyHealthHandler(state))
    .all(methodNotAllowed(['GET', 'HEAD']));
  app
    .route('/')
    .get(rootHandler(state))
    .all(methodNotAllowed(['GET', 'HEAD']));
  app
    .route('/metadata')
    .get(
      ...auth,
      metadataHandler({ state, deploymentName: config.deploymentName, maxBatch: config.maxBatch }),
    )
    .all(methodNotAllowed(['GET', 'HEAD']));
  app.use(notFound);
  app.use(errorHandler(logger, telemetry));
  return app;
}
