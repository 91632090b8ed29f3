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
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import {
  ConfigError,
  describeConfig,
  parseConfig,
  type ConfigDefaults,
  type Env,
  type ServiceConfig,
} from './config';
import { availableCores, softFileLimit } from './host-limits';
import { answerClientErrorsAsJson } from './http/client-errors';
import { ConnectionTracker } from './http/connections';
import { createJsonLogger, type Logger } from './logger';
import { ProbeServer } from './probes/probe-server';
import { loadServingModel, type ServingModel } from './scoring/load-model';
import { ServingState } from './scoring/serving-state';
import { createAppInsightsSink } from './telemetry/appinsights-sink';
import { createLocalFileSink } from './telemetry/local-sink';
import { ServiceTelemetry } from './telemetry/service-telemetry';

/** Share of the shutdown grace (after the readiness delay) kept for the final telemetry flush. */
const FLUSH_SHARE = 0.3;
/**
 * How often Node checks the header and request timeouts. Node's default is 30 s, so a slow
 * client was held up to timeout + 30 s (51 s measured for a 20 s promise, issue 9 C), and
 * thousands of them were cut in one burst. 1 s keeps the documented timeouts and spreads the cuts.
 */
const TIMEOUT_CHECK_INTERVAL_MS = 1000;
/** File descriptors kept free of the connection cap: model files, the ORT and probe threads, logs. */
const FD_RESERVE = 256;
/**
 * Idle keep-alive connections are ended only in this last part of the drain budget. Ending one
 * races with a request the client may be sending on it (inherent to HTTP/1.1 keep-alive): with
 * 0.5 s and 2 s idle thresholds the benchmark still saw resets on a saturated host, where a
 * client's event loop lags by seconds. Connections with traffic close themselves sooner (their
 * answers carry `Connection: close`); only idle pooled sockets wait, and SIGINT does not wait.
 */
const FINAL_CLOSE_MS = 1000;

export interface RunningService {
  readonly server: http.Server;
  readonly state: ServingState;
  readonly url: string;
  /** The probe thread's base URL (GET /health/*); absent when PROBE_PORT=off. */
  readonly probeUrl?: string;
  /** Resolves when the model is loaded and warmed up; rejects if loading failed. */
  readonly ready: Promise<ServingModel>;
  /**
   * Drain: readiness 503 for DRAIN_DELAY_MS (unless `skipDelay`), stop accepting, finish every
   * request received, end keep-alive connections gracefully, flush telemetry, release the model.
   */
  stop(reason: string, options?: { readonly skipDelay?: boolean }): Promise<void>;
}

const isLoopback = (address: string): boolean =>
  address === '::1' ||
  address.startsWith('127.') ||
  address === 'localhost' ||
  address === '::ffff:127.0.0.1';

/** Default ORT worker threshold (see ServiceConfig.ortWorkerMinRows). */
export const DEFAULT_ORT_WORKER_MIN_ROWS = 128;

/** 'auto': the worker thread when the process has a second core for it, else none. */
export function resolveWorkerMinRows(configured: number | 'auto', cores: number): number {
  if (configured !== 'auto') return configured;
  return cores >= 2 ? DEFAULT_ORT_WORKER_MIN_ROWS : 0;
}

/** The connection cap actually applied: MAX_CONNECTIONS, below the open-file limit. */
export function effectiveMaxConnections(configured: number, fileLimit = softFileLimit()): number {
  if (fileLimit === undefined) return configured;
  return Math.max(1, Math.min(configured, fileLimit - FD_RESERVE));
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
    sink: config.telemetryLocalFile
      ? createLocalFileSink(config.telemetryLocalFile, logger)
      : createAppInsightsSink(config, logger),
    flushIntervalMs: config.telemetryFlushIntervalMs,
    sampleRows: config.telemetrySampleRows,
    hashSalt: config.telemetryHashSalt,
  });
  // Loaded only now, after the telemetry SDK (see the file comment).
  const { buildApp } = await import('./app');
  const state = new ServingState();
  const app = buildApp({ config, state, logger, telemetry });
  const server = http.createServer(
    {
      connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
      // Node answers a request without Host with an empty 400; HTTP/1.0 clients send none, and
      // the service has no use for it.
      requireHostHeader: false,
    },
    app,
  );
  answerClientErrorsAsJson(server, logger);
  const connections = new ConnectionTracker(server);
  // Keep-alive: the server should not be the side that closes an idle pooled connection first,
  // or a gateway may reuse a socket we just closed and answer its client 502 (PITFALLS.md §5).
  // The Azure ML front end's idle timeout is not documented (unverified). 75 s (nginx's default
  // keepalive_timeout) outlasts the usual 60 s pool idle timeouts while a flood of idle sockets
  // is released within about a minute; MAX_CONNECTIONS bounds them meanwhile. KEEP_ALIVE_TIMEOUT_MS
  // raises it where the front end is known to keep sockets longer.
  server.keepAliveTimeout = config.keepAliveTimeoutMs;
  // Since Node 18 the headers timer runs per request (not per connection), so it need not exceed
  // keepAliveTimeout; it bounds slow senders, within requestTimeout as Node requires.
  server.requestTimeout = config.requestTimeoutMs;
  server.headersTimeout = config.headersTimeoutMs;
  // Every connection is a file descriptor: at the process's file limit new connections (and the
  // probes) failed (issue 9 C). Above the cap Node closes a new connection on accept.
  const maxConnections = effectiveMaxConnections(config.maxConnections);
  server.maxConnections = maxConnections;
  let lastDropLog = -Infinity;
  server.on('drop', () => {
    if (performance.now() - lastDropLog < 10_000) return;
    lastDropLog = performance.now();
    logger.warn('connection limit reached; new connections are closed on accept', { maxConnections });
  });

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
  let probes: ProbeServer | undefined;
  if (config.probePort !== undefined) {
    try {
      probes = await ProbeServer.start({ host: config.host, port: config.probePort });
    } catch (err) {
      server.close();
      throw err;
    }
    const probesForState = probes;
    state.onPhase((phase) => probesForState.setPhase(phase));
  }
  const probeUrl = probes ? `http://${host}:${probes.port}` : undefined;
  const cores = availableCores();
  logger.info('listening', {
    url,
    probeUrl,
    probeThreadNice: probes?.nice,
    deployment: config.deploymentName,
    maxConnections,
    cores,
  });
  const workerMinRows = resolveWorkerMinRows(config.ortWorkerMinRows, cores);
  if (!config.apiKey && !isLoopback(address.address)) {
    logger.warn('scoring is unauthenticated on a non-loopback address', {
      url,
      hint: 'set API_KEY, or bind HOST=127.0.0.1; on Azure ML the endpoint key or token auth sits in front',
    });
  }

  const ready = loadServingModel(config.modelDir, {
    intraOpThreads: config.ortIntraOpThreads,
    interOpThreads: config.ortInterOpThreads,
    microBatchMaxRows: config.microBatchMaxRows,
    workerMinRows,
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
      probes?.setModel(model.ref);
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
  const stop = (reason: string, options: { readonly skipDelay?: boolean } = {}): Promise<void> => {
    stopping ??= drain(reason, options.skipDelay === true);
    return stopping;
  };
  // The drain, in order (issue 9 C): readiness 503 while still serving (the gateway is told),
  // then stop accepting, then finish every request already received, then end keep-alive
  // connections gracefully; answers carry `Connection: close` from the first step on.
  const drain = async (reason: string, skipDelay: boolean): Promise<void> => {
    const t0 = performance.now();
    state.setDraining();
    const delayMs = skipDelay ? 0 : config.drainDelayMs;
    logger.info('draining', { reason, readinessDelayMs: delayMs });
    await delay(delayMs);
    const budgetMs = Math.round((config.shutdownGraceMs - delayMs) * (1 - FLUSH_SHARE));
    const budgetEnd = performance.now() + budgetMs;
    // Stop accepting without http.Server#close, which would also destroy every idle keep-alive
    // socket at once (Node >= 19), resetting requests already on the wire (see connections.ts).
    const listenerClosed = new Promise<void>((resolve) =>
      net.Server.prototype.close.call(server, () => resolve()),
    );
    state.setClosingConnections();
    const endIdleFrom = skipDelay ? 0 : budgetEnd - Math.min(FINAL_CLOSE_MS, budgetMs / 2);
    while (connections.size > 0 && performance.now() < budgetEnd) {
      if (performance.now() >= endIdleFrom) connections.endIdle(0);
      await delay(20);
    }
    if (connections.size > 0) {
      logger.warn('drain budget exceeded; closing remaining connections', {
        drainBudgetMs: budgetMs,
        connections: connections.size,
        inFlight: connections.inFlight,
      });
      connections.destroyAll();
    }
    await listenerClosed;
    server.close(() => undefined); // nothing left to close; stops Node's timeout-checking interval
    await probes?.close();
    await telemetry.shutdown(config.shutdownGraceMs - (performance.now() - t0));
    const model = state.model;
    // Waits for runs still in the ORT worker, terminates it, releases both sessions.
    if (model) await model.release().catch(() => undefined);
    logger.info('stopped', { reason, drainMs: round(performance.now() - t0) });
  };

  return { server, state, url, probeUrl, ready, stop };
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
  const exitAfter = (reason: string, code: number, skipDelay = false): void => {
    // Idempotent: a second signal (or a load failure during the drain) changes nothing.
    if (exiting) return;
    exiting = true;
    // A hard bound in case something in the drain hangs.
    setTimeout(() => {
      logger.error('shutdown exceeded grace period; exiting', { graceMs: config.shutdownGraceMs });
      process.exit(1);
    }, config.shutdownGraceMs + 1000).unref();
    service.stop(reason, { skipDelay }).then(
      () => process.exit(code),
      (err: unknown) => {
        logger.error('shutdown failed', { err });
        process.exit(1);
      },
    );
  };
  // `on`, not `once`: a repeated signal must not fall back to Node's default (immediate exit).
  process.on('SIGTERM', () => exitAfter('SIGTERM', 0));
  // Ctrl-C at a terminal: no gateway to tell, so no readiness delay.
  process.on('SIGINT', () => exitAfter('SIGINT', 0, true));
  service.ready.catch(() => exitAfter('model load failed', 1, true)); // was never ready: no delay
  return service;
}

const round = (ms: number): number => Math.round(ms * 10) / 10;
const delay = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, Math.max(0, ms)).unref();
  });
