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
  /** Interface to bind. `HOST`. @default '0.0.0.0' (the container); `npm start` uses 127.0.0.1 */
  readonly host: string;
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
   * thread hop. 0 turns the worker off. `ORT_WORKER_MIN_ROWS`. @default 128
   */
  readonly ortWorkerMinRows: number;
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
  /** Idle keep-alive socket lifetime. `KEEP_ALIVE_TIMEOUT_MS`. @default 650000 (see server.ts) */
  readonly keepAliveTimeoutMs: number;
  /** Time allowed to receive a whole request. `REQUEST_TIMEOUT_MS`. @default 30000 */
  readonly requestTimeoutMs: number;
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

/** Defaults a launcher may override (only `npm start` does: it binds loopback). */
export interface ConfigDefaults {
  /** @default '0.0.0.0' */
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
  const host = read('HOST') ?? defaults.host ?? '0.0.0.0';
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

  const keepAliveTimeoutMs = int('KEEP_ALIVE_TIMEOUT_MS', 650_000, 1_000, 3_600_000);
  const config: ServiceConfig = {
    port,
    host,
    modelDir,
    modelDirSource: azureModelDir ? 'AZUREML_MODEL_DIR' : 'MODEL_DIR',
    deploymentName,
    maxBatch: int('MAX_BATCH', 1000, 1, 100_000),
    bodyLimitBytes,
    apiKey,
    ortIntraOpThreads: int('ORT_INTRA_OP_THREADS', 1, 1, 64),
    ortInterOpThreads: int('ORT_INTER_OP_THREADS', 1, 1, 64),
    microBatchMaxRows: int('MICRO_BATCH_MAX_ROWS', 256, 1, 100_000),
    ortWorkerMinRows: int('ORT_WORKER_MIN_ROWS', 128, 0, 100_000),
    telemetryFlushIntervalMs: int('TELEMETRY_FLUSH_INTERVAL_MS', 60_000, 100, 3_600_000),
    telemetrySampleRows: int('TELEMETRY_SAMPLE_ROWS', 20, 0, 10_000),
    telemetryHashSalt: read('TELEMETRY_HASH_SALT'),
    appInsightsConnectionString: connectionString,
    telemetryAuth,
    managedIdentityClientId,
    managedIdentityClientIdSource,
    shutdownGraceMs: int('SHUTDOWN_GRACE_MS', 10_000, 100, 600_000),
    keepAliveTimeoutMs,
    requestTimeoutMs: int('REQUEST_TIMEOUT_MS', 30_000, 1_000, 600_000),
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
