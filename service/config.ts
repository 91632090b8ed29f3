/**
 * The service's whole configuration: one schema, parsed once at boot from environment variables.
 *
 * Every key has an env name, a doc and a default. `parseConfig` never throws on the first
 * problem: it collects every bad variable and throws one `ConfigError` naming each
 * (variable, value received, rule), so a misconfigured deployment fails fast with a
 * message that fixes everything in one go (STYLE.md C.2).
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type TelemetryAuth = 'managed-identity' | 'connection-string';

export interface ServiceConfig {
  /** TCP port. `PORT`. @default 8080 */
  readonly port: number;
  /**
   * Interface to bind. `HOST`. @default '127.0.0.1' (the image sets `HOST=0.0.0.0` itself); a
   * non-loopback address without `API_KEY` logs one warning at start (scoring is open).
   */
  readonly host: string;
  /**
   * Port of the probe thread (GET /health/live, /health/ready, /health on their own port, event
   * loop and accept queue; see probes/probe-worker.ts). `PROBE_PORT`; `off` disables it (the
   * probes stay on `port` as well either way). @default 8081
   */
  readonly probePort?: number;
  /**
   * Most connections open at once on the scoring port; more are closed on accept. Clamped at
   * start to the open-file limit minus a reserve (host-limits.ts). `MAX_CONNECTIONS`. @default 4096
   */
  readonly maxConnections: number;
  /**
   * Folder holding the model package (or a tree containing exactly one).
   * `AZUREML_MODEL_DIR` (set by Azure ML to the mounted registered model) wins over `MODEL_DIR`.
   */
  readonly modelDir: string;
  /** Which env variable `modelDir` came from, for the startup log. */
  readonly modelDirSource: 'AZUREML_MODEL_DIR' | 'MODEL_DIR';
  /**
   * Deployment name put in every answer and every metric (blue/green). `DEPLOYMENT_NAME`;
   * Azure ML does not inject one into custom containers, so the deployment sets it.
   * @default 'local'
   */
  readonly deploymentName: string;
  /** Most instances accepted in one batch request. `MAX_BATCH`. @default 1000 */
  readonly maxBatch: number;
  /** Request body size limit in bytes. `BODY_LIMIT` (`512kb`, `2mb`, or bytes). @default 2 MiB */
  readonly bodyLimitBytes: number;
  /** Optional shared key required in the `x-api-key` header on /score and /metadata. `API_KEY`. @default - no auth */
  readonly apiKey?: string;
  /** ORT intra-op threads. `ORT_INTRA_OP_THREADS`. @default 1 (tree model; leaves a core for the event loop) */
  readonly ortIntraOpThreads: number;
  /** ORT inter-op threads. `ORT_INTER_OP_THREADS`. @default 1 */
  readonly ortInterOpThreads: number;
  /** Most rows coalesced into one ORT run by the micro-batcher. `MICRO_BATCH_MAX_ROWS`. @default 256 */
  readonly microBatchMaxRows: number;
  /**
   * Requests with at least this many rows are scored by the ORT worker thread (its own
   * session), so parsing the next request overlaps the model run; smaller ones (single rows,
   * micro-batched) stay on the main thread, where a run of up to ~100 rows costs less than the
   * thread hop. 0 turns the worker off. `ORT_WORKER_MIN_ROWS`.
   * @default 'auto': 128 when the process has at least 2 cores (affinity and cgroup quota, read
   *   at start), else 0: a worker thread only pays when it has a core of its own.
   */
  readonly ortWorkerMinRows: number | 'auto';
  /** Telemetry aggregate flush period. `TELEMETRY_FLUSH_INTERVAL_MS`. @default 60000 */
  readonly telemetryFlushIntervalMs: number;
  /** Masked rows sampled per flush period for drift. `TELEMETRY_SAMPLE_ROWS`. @default 20 */
  readonly telemetrySampleRows: number;
  /**
   * Salt for hashing identifiers in sampled rows. `TELEMETRY_HASH_SALT`.
   * @default - a random salt per process (hashes cannot be joined across instances)
   */
  readonly telemetryHashSalt?: string;
  /** `APPLICATIONINSIGHTS_CONNECTION_STRING`. @default - telemetry off */
  readonly appInsightsConnectionString?: string;
  /**
   * Append telemetry as JSON lines to this file instead of sending it to Application Insights
   * (laptops and tests; `npm run canary -- analyze --source local` reads it; format in
   * telemetry/local-sink.ts). `TELEMETRY_LOCAL_FILE`. @default - off
   */
  readonly telemetryLocalFile?: string;
  /**
   * How telemetry authenticates. `TELEMETRY_AUTH`.
   * @default 'managed-identity' when a client id is known, else 'connection-string'
   */
  readonly telemetryAuth: TelemetryAuth;
  /**
   * Managed identity client id: `AZURE_CLIENT_ID` (explicit, e.g. a user-assigned identity)
   * wins over `DEFAULT_IDENTITY_CLIENT_ID` (injected by Azure ML for the deployment's identity).
   * @default - none
   */
  readonly managedIdentityClientId?: string;
  readonly managedIdentityClientIdSource?: 'AZURE_CLIENT_ID' | 'DEFAULT_IDENTITY_CLIENT_ID';
  /** Bound on SIGTERM drain + telemetry flush before exit. `SHUTDOWN_GRACE_MS`. @default 10000 */
  readonly shutdownGraceMs: number;
  /**
   * On SIGTERM, readiness answers 503 for this long while requests are still served, before
   * the listener closes, so the gateway stops routing here first. Must be below
   * SHUTDOWN_GRACE_MS. SIGINT (Ctrl-C) skips it. `DRAIN_DELAY_MS`. @default 3000
   */
  readonly drainDelayMs: number;
  /** Idle keep-alive socket lifetime. `KEEP_ALIVE_TIMEOUT_MS`. @default 75000 (see server.ts) */
  readonly keepAliveTimeoutMs: number;
  /** Time allowed to receive a whole request. `REQUEST_TIMEOUT_MS`. @default 30000 */
  readonly requestTimeoutMs: number;
  /** Time allowed to receive the request headers (slow clients). `HEADERS_TIMEOUT_MS`; at most REQUEST_TIMEOUT_MS. @default 20000 */
  readonly headersTimeoutMs: number;
  /** `LOG_LEVEL`. @default 'info' */
  readonly logLevel: LogLevel;
}

/** Thrown by `parseConfig` with every problem at once. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid service configuration (${problems.length} problem(s)):\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

/** Defaults a launcher may override. */
export interface ConfigDefaults {
  /** @default '127.0.0.1' */
  readonly host?: string;
}

const MAX_PORT = 65535;

/** Parses and validates the environment; throws one `ConfigError` naming every bad variable. */
export function parseConfig(env: Env, defaults: ConfigDefaults = {}): ServiceConfig {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const int = (name: string, dflt: number, min: number, max: number): number => {
    const raw = read(name);
    if (raw === undefined) return dflt;
    const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      problems.push(`${name}=${JSON.stringify(raw)}: must be an integer in ${min}..${max}`);
      return dflt;
    }
    return n;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], dflt: T): T => {
    const raw = read(name);
    if (raw === undefined) return dflt;
    if (!(allowed as readonly string[]).includes(raw)) {
      problems.push(`${name}=${JSON.stringify(raw)}: must be one of ${allowed.join(', ')}`);
      return dflt;
    }
    return raw as T;
  };

  const port = int('PORT', 8080, 0, MAX_PORT);
  const host = read('HOST') ?? defaults.host ?? '127.0.0.1';
  if (!/^[A-Za-z0-9.:[\]-]+$/.test(host))
    problems.push(`HOST=${JSON.stringify(host)}: must be a hostname or IP`);

  const azureModelDir = read('AZUREML_MODEL_DIR');
  const localModelDir = read('MODEL_DIR');
  const modelDir = azureModelDir ?? localModelDir ?? '';
  if (!modelDir)
    problems.push('MODEL_DIR / AZUREML_MODEL_DIR: one must name the model package folder (unset)');

  const deploymentName = read('DEPLOYMENT_NAME') ?? 'local';
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(deploymentName)) {
    problems.push(
      `DEPLOYMENT_NAME=${JSON.stringify(deploymentName)}: must be 1-64 letters, digits, '-' or '_', starting with a letter or digit`,
    );
  }

  const bodyLimitBytes = parseByteSize(read('BODY_LIMIT'), 2 * 1024 * 1024, problems);

  const apiKey = read('API_KEY');
  if (apiKey !== undefined && apiKey.length < 16) {
    problems.push(`API_KEY=<${apiKey.length} chars>: must be at least 16 characters`);
  }

  const connectionString = read('APPLICATIONINSIGHTS_CONNECTION_STRING');
  if (connectionString !== undefined && !/(InstrumentationKey|IngestionEndpoint)=/i.test(connectionString)) {
    problems.push(
      'APPLICATIONINSIGHTS_CONNECTION_STRING=<redacted>: must be an Application Insights connection string (InstrumentationKey=...;IngestionEndpoint=...)',
    );
  }
  const explicitClientId = read('AZURE_CLIENT_ID');
  const amlClientId = read('DEFAULT_IDENTITY_CLIENT_ID');
  const managedIdentityClientId = explicitClientId ?? amlClientId;
  const managedIdentityClientIdSource = explicitClientId
    ? 'AZURE_CLIENT_ID'
    : amlClientId
      ? 'DEFAULT_IDENTITY_CLIENT_ID'
      : undefined;
  const telemetryAuth = oneOf<TelemetryAuth>(
    'TELEMETRY_AUTH',
    ['managed-identity', 'connection-string'],
    managedIdentityClientId ? 'managed-identity' : 'connection-string',
  );
  if (telemetryAuth === 'managed-identity' && !managedIdentityClientId) {
    problems.push(
      'TELEMETRY_AUTH="managed-identity": needs AZURE_CLIENT_ID or DEFAULT_IDENTITY_CLIENT_ID (the Azure ML identity endpoint requires a client id)',
    );
  }

  const keepAliveTimeoutMs = int('KEEP_ALIVE_TIMEOUT_MS', 75_000, 1_000, 3_600_000);
  const probePortRaw = read('PROBE_PORT');
  const probePort = probePortRaw === 'off' ? undefined : int('PROBE_PORT', 8081, 0, MAX_PORT);
  const shutdownGraceMs = int('SHUTDOWN_GRACE_MS', 10_000, 100, 600_000);
  const drainDelayMs = int('DRAIN_DELAY_MS', 3_000, 0, 600_000);
  if (drainDelayMs >= shutdownGraceMs) {
    problems.push(
      `DRAIN_DELAY_MS=${drainDelayMs}: must be below SHUTDOWN_GRACE_MS (${shutdownGraceMs}), which also bounds finishing the requests in flight`,
    );
  }
  const requestTimeoutMs = int('REQUEST_TIMEOUT_MS', 30_000, 1_000, 600_000);
  const headersTimeoutMs = int('HEADERS_TIMEOUT_MS', 20_000, 1_000, 600_000);
  if (headersTimeoutMs > requestTimeoutMs) {
    problems.push(
      `HEADERS_TIMEOUT_MS=${headersTimeoutMs}: must be at most REQUEST_TIMEOUT_MS (${requestTimeoutMs})`,
    );
  }
  const config: ServiceConfig = {
    port,
    host,
    probePort,
    maxConnections: int('MAX_CONNECTIONS', 4096, 1, 1_000_000),
    modelDir,
    modelDirSource: azureModelDir ? 'AZUREML_MODEL_DIR' : 'MODEL_DIR',
    deploymentName,
    maxBatch: int('MAX_BATCH', 1000, 1, 100_000),
    bodyLimitBytes,
    apiKey,
    ortIntraOpThreads: int('ORT_INTRA_OP_THREADS', 1, 1, 64),
    ortInterOpThreads: int('ORT_INTER_OP_THREADS', 1, 1, 64),
    microBatchMaxRows: int('MICRO_BATCH_MAX_ROWS', 256, 1, 100_000),
    ortWorkerMinRows:
      read('ORT_WORKER_MIN_ROWS') === undefined ? 'auto' : int('ORT_WORKER_MIN_ROWS', 128, 0, 100_000),
    telemetryFlushIntervalMs: int('TELEMETRY_FLUSH_INTERVAL_MS', 60_000, 100, 3_600_000),
    telemetrySampleRows: int('TELEMETRY_SAMPLE_ROWS', 20, 0, 10_000),
    telemetryHashSalt: read('TELEMETRY_HASH_SALT'),
    appInsightsConnectionString: connectionString,
    telemetryLocalFile: read('TELEMETRY_LOCAL_FILE'),
    telemetryAuth,
    managedIdentityClientId,
    managedIdentityClientIdSource,
    shutdownGraceMs,
    drainDelayMs,
    keepAliveTimeoutMs,
    requestTimeoutMs,
    headersTimeoutMs,
    logLevel: oneOf<LogLevel>('LOG_LEVEL', ['debug', 'info', 'warn', 'error'], 'info'),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

const BYTE_UNITS: Readonly<Record<string, number>> = { b: 1, kb: 1024, mb: 1024 * 1024 };

function parseByteSize(raw: string | undefined, dflt: number, problems: string[]): number {
  if (raw === undefined) return dflt;
  const m = /^(\d+)\s*(b|kb|mb)?$/i.exec(raw);
  const bytes = m ? Number(m[1]) * BYTE_UNITS[(m[2] ?? 'b').toLowerCase()] : NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 1024 || bytes > 64 * 1024 * 1024) {
    problems.push(
      `BODY_LIMIT=${JSON.stringify(raw)}: must be a size between 1kb and 64mb (e.g. 512kb, 2mb, 1048576)`,
    );
    return dflt;
  }
  return bytes;
}

/** The config with secrets redacted, for the startup log and GET /metadata. */
export function describeConfig(config: ServiceConfig): Record<string, unknown> {
  return {
    ...config,
    apiKey: config.apiKey ? '<set>' : undefined,
    telemetryHashSalt: config.telemetryHashSalt ? '<set>' : undefined,
    appInsightsConnectionString: config.appInsightsConnectionString ? '<set>' : undefined,
  };
}
