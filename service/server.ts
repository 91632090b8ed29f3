/**
 * The process around the app: config, telemetry, listen, model load, readiness, SIGTERM drain.
 *
 * Order matters:
 * 1. config is parsed first and the process exits with every bad variable named;
 * 2. the App Insights SDK (when configured) starts BEFORE Express is loaded, so its http
 *    instrumentation sees incoming requests (PITFALLS.md §4);
 * 3. the server listens before the model is loaded: liveness answers at once, readiness is
 *    503 until the session is created and a warm-up inference succeeded (PITFALLS.md §7);
 * 4. a model that fails to load ends the process non-zero (Azure ML restarts it and shows the
 *    log); it is never replaced by a fallback.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ConfigError,
  describeConfig,
  parseConfig,
  type ConfigDefaults,
  type Env,
  type ServiceConfig,
} from './config';
import { createJsonLogger, type Logger } from './logger';
import { loadServingModel, type ServingModel } from './scoring/load-model';
import { ServingState } from './scoring/serving-state';
import { createAppInsightsSink } from './telemetry/appinsights-sink';
import { ServiceTelemetry } from './telemetry/service-telemetry';

/** Headers must arrive within this (slowloris bound); capped by requestTimeout as Node requires. */
const HEADERS_TIMEOUT_MS = 20_000;
/** Share of the shutdown grace kept for the final telemetry flush. */
const FLUSH_SHARE = 0.3;

export interface RunningService {
  readonly server: http.Server;
  readonly state: ServingState;
  readonly url: string;
  /** Resolves when the model is loaded and warmed up; rejects if loading failed. */
  readonly ready: Promise<ServingModel>;
  /** Drain: readiness 503, stop accepting, finish in-flight requests, flush telemetry. */
  stop(reason: string): Promise<void>;
}

/**
 * @param onFatal called when serving can no longer continue after readiness (the ORT worker
 *   crashed); runServer drains and exits non-zero. @default - none (the state turns failed)
 */
export async function startService(
  config: ServiceConfig,
  logger: Logger,
  onFatal?: (reason: string) => void,
): Promise<RunningService> {
  const telemetry = new ServiceTelemetry({
    deploymentName: config.deploymentName,
    logger,
    sink: createAppInsightsSink(config, logger),
    flushIntervalMs: config.telemetryFlushIntervalMs,
    sampleRows: config.telemetrySampleRows,
    hashSalt: config.telemetryHashSalt,
  });
  // Loaded only now, after the telemetry SDK (see the file comment).
  const { buildApp } = await import('./app');
  const state = new ServingState();
  const app = buildApp({ config, state, logger, telemetry });
  const server = http.createServer(app);
  // Keep-alive: the server must never be the side that closes an idle pooled connection
  // first, or the gateway may reuse a socket we just closed and answer its client 502
  // (PITFALLS.md §5). The Azure ML front end's idle timeout is not documented; Azure's load
  // balancers and gateways default to about 4 minutes (configurable to 30). 650 s outlasts
  // the defaults; an idle socket costs a few kilobytes. Configurable with KEEP_ALIVE_TIMEOUT_MS.
  server.keepAliveTimeout = config.keepAliveTimeoutMs;
  // Since Node 18 the headers timer runs per request (not per connection), so it need not
  // exceed keepAliveTimeout; it bounds slow senders, within requestTimeout as Node requires.
  server.requestTimeout = config.requestTimeoutMs;
  server.headersTimeout = Math.min(HEADERS_TIMEOUT_MS, config.requestTimeoutMs);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  logger.info('listening', { url, deployment: config.deploymentName });

  const ready = loadServingModel(config.modelDir, {
    intraOpThreads: config.ortIntraOpThreads,
    interOpThreads: config.ortInterOpThreads,
    microBatchMaxRows: config.microBatchMaxRows,
    workerMinRows: config.ortWorkerMinRows,
  }).then(
    async (model) => {
      if (state.phase !== 'loading') {
        logger.info('model loaded after shutdown began; not serving it', { model: model.ref });
        await model.release().catch(() => undefined);
        return model;
      }
      telemetry.attachModel(model.manifest);
      model.worker?.onCrash((err) => {
        logger.error('scoring worker crashed; readiness failed, shutting down', { err });
        onFatal?.('scoring worker crashed');
      });
      state.setReady(model);
      logger.info('ready', {
        model: model.ref,
        modelDir: model.dir,
        modelDirSource: config.modelDirSource,
        loadMs: round(model.loadMs),
        warmupMs: round(model.warmupMs),
        ortWorker: model.worker
          ? { minRows: model.workerMinRows, threadId: model.worker.thread.threadId }
          : 'off',
        processStartToReadyMs: round(process.uptime() * 1000),
      });
      return model;
    },
    (err: unknown) => {
      state.setFailed();
      logger.error('model load failed', { modelDir: config.modelDir, err });
      throw err;
    },
  );
  ready.catch(() => undefined); // observed by the caller; avoid an unhandled rejection here

  let stopping: Promise<void> | undefined;
  const stop = (reason: string): Promise<void> => {
    stopping ??= drain(reason);
    return stopping;
  };
  const drain = async (reason: string): Promise<void> => {
    const t0 = performance.now();
    state.setDraining();
    logger.info('draining', { reason });
    const drainBudget = Math.round(config.shutdownGraceMs * (1 - FLUSH_SHARE));
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const timedOut = await Promise.race([closed.then(() => false), delay(drainBudget).then(() => true)]);
    if (timedOut) {
      logger.warn('drain budget exceeded; closing remaining connections', { drainBudgetMs: drainBudget });
      server.closeAllConnections();
    }
    await telemetry.shutdown(config.shutdownGraceMs - (performance.now() - t0));
    const model = state.model;
    // Waits for runs still in the ORT worker, terminates it, releases both sessions.
    if (model) await model.release().catch(() => undefined);
    logger.info('stopped', { reason, drainMs: round(performance.now() - t0) });
  };

  return { server, state, url, ready, stop };
}

/**
 * The container's and `npm run serve`'s entry: parse env, start, exit on SIGTERM/SIGINT
 * within SHUTDOWN_GRACE_MS (as PID 1, node gets no default SIGTERM handling), exit 1 on a
 * config or model error.
 */
export async function runServer(
  env: Env,
  defaults: ConfigDefaults = {},
): Promise<RunningService | undefined> {
  let config: ServiceConfig;
  try {
    config = parseConfig(env, defaults);
  } catch (err) {
    createJsonLogger().error('configuration rejected', {
      problems: err instanceof ConfigError ? err.problems : [String(err)],
    });
    process.exitCode = 1;
    return undefined;
  }
  const logger = createJsonLogger({ level: config.logLevel });
  logger.info('starting', { config: describeConfig(config), node: process.version, pid: process.pid });
  let exiting = false;
  const service = await startService(config, logger, (reason) => exitAfter(reason, 1));
  const exitAfter = (reason: string, code: number): void => {
    // Idempotent: a second signal (or a load failure during the drain) changes nothing.
    if (exiting) return;
    exiting = true;
    // A hard bound in case something in the drain hangs.
    setTimeout(() => {
      logger.error('shutdown exceeded grace period; exiting', { graceMs: config.shutdownGraceMs });
      process.exit(1);
    }, config.shutdownGraceMs + 1000).unref();
    service.stop(reason).then(
      () => process.exit(code),
      (err: unknown) => {
        logger.error('shutdown failed', { err });
        process.exit(1);
      },
    );
  };
  // `on`, not `once`: a repeated signal must not fall back to Node's default (immediate exit).
  process.on('SIGTERM', () => exitAfter('SIGTERM', 0));
  process.on('SIGINT', () => exitAfter('SIGINT', 0));
  service.ready.catch(() => exitAfter('model load failed', 1));
  return service;
}

const round = (ms: number): number => Math.round(ms * 10) / 10;
const delay = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, Math.max(0, ms)).unref();
  });
