/**
 * Application Insights (applicationinsights 3.x, the OpenTelemetry-based SDK) as a TelemetrySink.
 *
 * Rules from PITFALLS.md §4 that shape this file:
 * - Everything, the credential included, is configured BEFORE `initialize()` (start): later
 *   changes are ignored, and a credential set after start means no telemetry when the
 *   resource disables local (key) auth.
 * - The SDK is required lazily here, and server.ts calls this before it loads Express, so the
 *   http instrumentation is in place for incoming requests (request telemetry).
 * - The managed identity client id is passed explicitly: inside an Azure ML online deployment
 *   the identity endpoint requires a client id even for a system-assigned identity. We use
 *   AZURE_CLIENT_ID when the deployment sets it (a user-assigned identity chosen by the
 *   platform code), else DEFAULT_IDENTITY_CLIENT_ID, which Azure ML injects for the
 *   deployment's own identity (config.ts). That identity needs the "Monitoring Metrics
 *   Publisher" role on the Application Insights resource.
 * - flush()/shutdown() are awaited on SIGTERM (server.ts), within the grace period.
 */
import type { ServiceConfig } from '../config';
import type { Logger } from '../logger';
import type { TelemetryProperties, TelemetrySink } from './sink';

/** The token audience of the Azure Monitor ingestion API. */
const MONITOR_SCOPE = 'https://monitor.azure.com/.default';
/** Role name shown in App Insights (cloud_RoleName), unless OTEL_SERVICE_NAME says otherwise. */
const ROLE_NAME = 'fraud-scoring';

type TelemetryConfig = Pick<
  ServiceConfig,
  | 'appInsightsConnectionString'
  | 'telemetryAuth'
  | 'managedIdentityClientId'
  | 'managedIdentityClientIdSource'
>;

/**
 * Starts the SDK and returns a sink, or undefined when no connection string is configured
 * (telemetry off). Throws only on a programming error; credential problems are logged.
 */
export function createAppInsightsSink(config: TelemetryConfig, logger: Logger): TelemetrySink | undefined {
  const connectionString = config.appInsightsConnectionString;
  if (!connectionString) return undefined;
  // cloud_RoleName comes from the OpenTelemetry resource; set before the SDK reads it.
  process.env.OTEL_SERVICE_NAME ??= ROLE_NAME;

  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ai = require('applicationinsights') as typeof import('applicationinsights');
  const client = new ai.TelemetryClient(connectionString);
  if (config.telemetryAuth === 'managed-identity' && config.managedIdentityClientId) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { ManagedIdentityCredential } = require('@azure/identity') as typeof import('@azure/identity');
    const credential = new ManagedIdentityCredential({ clientId: config.managedIdentityClientId });
    client.config.aadTokenCredential = credential;
    logger.info('telemetry uses managed identity', { clientIdSource: config.managedIdentityClientIdSource });
    // Surface a broken identity at startup instead of silently losing telemetry.
    credential.getToken(MONITOR_SCOPE).then(
      () => logger.info('telemetry token acquired'),
      (err: unknown) => logger.warn('telemetry token acquisition failed', { err: String(err) }),
    );
  }
  // Console capture would re-send our own JSON log lines; live metrics is a debugging tool
  // that keeps a connection open per instance.
  client.config.enableAutoCollectConsole = false;
  client.config.enableAutoCollectExceptions = true;
  client.config.azureMonitorOpenTelemetryOptions = { enableLiveMetrics: false };
  client.initialize();
  logger.info('telemetry on', { auth: config.telemetryAuth });

  return {
    trackMetric: (name, value, properties: TelemetryProperties) =>
      client.trackMetric({ name, value, properties: { ...properties } }),
    trackEvent: (name, properties: TelemetryProperties) =>
      client.trackEvent({ name, properties: { ...properties } }),
    trackException: (exception, properties: TelemetryProperties) =>
      client.trackException({ exception, properties: { ...properties } }),
    flush: () => client.flush(),
    shutdown: () => client.shutdown(),
  };
}
