import { ConfigError, describeConfig, parseConfig } from '../../service/config';
import { effectiveMaxConnections, resolveWorkerMinRows } from '../../service/server';

describe('parseConfig', () => {
  test('GIVEN only a model dir WHEN parsed THEN documented defaults apply', () => {
    const c = parseConfig({ MODEL_DIR: '/m' });
    expect(c).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      probePort: 8081,
      maxConnections: 4096,
      keepAliveTimeoutMs: 75_000,
      headersTimeoutMs: 20_000,
      requestTimeoutMs: 30_000,
      drainDelayMs: 3_000,
      modelDir: '/m',
      modelDirSource: 'MODEL_DIR',
      deploymentName: 'local',
      maxBatch: 1000,
      bodyLimitBytes: 2 * 1024 * 1024,
      ortIntraOpThreads: 1,
      microBatchMaxRows: 256,
      ortWorkerMinRows: 'auto',
      telemetryAuth: 'connection-string',
      logLevel: 'info',
    });
    expect(c.apiKey).toBeUndefined();
    expect(c.appInsightsConnectionString).toBeUndefined();
  });

  test('HOST defaults to loopback (the image sets 0.0.0.0 itself); HOST wins', () => {
    expect(parseConfig({ MODEL_DIR: '/m' }).host).toBe('127.0.0.1');
    expect(parseConfig({ MODEL_DIR: '/m', HOST: '::1' }, { host: '127.0.0.1' }).host).toBe('::1');
    expect(parseConfig({ MODEL_DIR: '/m', HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
  });

  test('PROBE_PORT may be off; the drain delay must fit in the grace period; headers within the request timeout', () => {
    expect(parseConfig({ MODEL_DIR: '/m', PROBE_PORT: 'off' }).probePort).toBeUndefined();
    expect(parseConfig({ MODEL_DIR: '/m', PROBE_PORT: '0' }).probePort).toBe(0);
    expect(() => parseConfig({ MODEL_DIR: '/m', DRAIN_DELAY_MS: '10000' })).toThrow(
      /DRAIN_DELAY_MS=10000: must be below SHUTDOWN_GRACE_MS \(10000\)/,
    );
    expect(() => parseConfig({ MODEL_DIR: '/m', HEADERS_TIMEOUT_MS: '40000' })).toThrow(
      /HEADERS_TIMEOUT_MS=40000: must be at most REQUEST_TIMEOUT_MS \(30000\)/,
    );
  });

  test('AZUREML_MODEL_DIR (the Azure ML mount) wins over MODEL_DIR', () => {
    const c = parseConfig({
      MODEL_DIR: '/local',
      AZUREML_MODEL_DIR: '/var/azureml-app/azureml-models/fraud/3',
    });
    expect(c.modelDir).toBe('/var/azureml-app/azureml-models/fraud/3');
    expect(c.modelDirSource).toBe('AZUREML_MODEL_DIR');
  });

  test('sizes and numbers are parsed', () => {
    const c = parseConfig({
      MODEL_DIR: '/m',
      PORT: '0',
      BODY_LIMIT: '512kb',
      MAX_BATCH: '50',
      DEPLOYMENT_NAME: 'green',
    });
    expect(c.port).toBe(0);
    expect(c.bodyLimitBytes).toBe(512 * 1024);
    expect(c.maxBatch).toBe(50);
    expect(c.deploymentName).toBe('green');
  });

  test('ORT_WORKER_MIN_ROWS auto: the worker thread only with a second core', () => {
    expect(resolveWorkerMinRows('auto', 2)).toBe(128);
    expect(resolveWorkerMinRows('auto', 1)).toBe(0);
    expect(resolveWorkerMinRows(500, 1)).toBe(500);
    expect(effectiveMaxConnections(4096, 1024)).toBe(768);
    expect(effectiveMaxConnections(4096, undefined)).toBe(4096);
  });

  test('ORT_WORKER_MIN_ROWS: 0 turns the worker off; a bad value is named with its rule', () => {
    expect(parseConfig({ MODEL_DIR: '/m', ORT_WORKER_MIN_ROWS: '0' }).ortWorkerMinRows).toBe(0);
    expect(parseConfig({ MODEL_DIR: '/m', ORT_WORKER_MIN_ROWS: '500' }).ortWorkerMinRows).toBe(500);
    expect(() => parseConfig({ MODEL_DIR: '/m', ORT_WORKER_MIN_ROWS: 'many' })).toThrow(
      /ORT_WORKER_MIN_ROWS="many": must be an integer in 0\.\.100000/,
    );
  });

  test('GIVEN several bad variables WHEN parsed THEN one error names each with its value and rule', () => {
    let error: unknown;
    try {
      parseConfig({
        PORT: '80a',
        MAX_BATCH: '0',
        BODY_LIMIT: '3gb',
        DEPLOYMENT_NAME: 'blue green',
        API_KEY: 'short',
        LOG_LEVEL: 'loud',
        APPLICATIONINSIGHTS_CONNECTION_STRING: 'nonsense',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/PORT="80a": must be an integer in 0\.\.65535/);
    expect(problems).toMatch(/MAX_BATCH="0": must be an integer in 1\.\.100000/);
    expect(problems).toMatch(/BODY_LIMIT="3gb"/);
    expect(problems).toMatch(/DEPLOYMENT_NAME="blue green"/);
    expect(problems).toMatch(/API_KEY=<5 chars>: must be at least 16 characters/);
    expect(problems).toMatch(/LOG_LEVEL="loud": must be one of debug, info, warn, error/);
    expect(problems).toMatch(/MODEL_DIR \/ AZUREML_MODEL_DIR/);
    expect(problems).toMatch(/APPLICATIONINSIGHTS_CONNECTION_STRING=<redacted>/);
    expect((error as ConfigError).problems).toHaveLength(8);
    // Secrets are never echoed.
    expect((error as Error).message).not.toContain('nonsense');
    expect((error as Error).message).not.toContain('short');
  });

  test('managed identity client id: AZURE_CLIENT_ID wins over the Azure ML-injected DEFAULT_IDENTITY_CLIENT_ID', () => {
    const cs = 'InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://x';
    const both = parseConfig({
      MODEL_DIR: '/m',
      APPLICATIONINSIGHTS_CONNECTION_STRING: cs,
      AZURE_CLIENT_ID: 'uai',
      DEFAULT_IDENTITY_CLIENT_ID: 'sys',
    });
    expect(both).toMatchObject({
      telemetryAuth: 'managed-identity',
      managedIdentityClientId: 'uai',
      managedIdentityClientIdSource: 'AZURE_CLIENT_ID',
    });
    const aml = parseConfig({ MODEL_DIR: '/m', DEFAULT_IDENTITY_CLIENT_ID: 'sys' });
    expect(aml).toMatchObject({
      managedIdentityClientId: 'sys',
      managedIdentityClientIdSource: 'DEFAULT_IDENTITY_CLIENT_ID',
    });
    expect(
      parseConfig({ MODEL_DIR: '/m', DEFAULT_IDENTITY_CLIENT_ID: 'sys', TELEMETRY_AUTH: 'connection-string' })
        .telemetryAuth,
    ).toBe('connection-string');
    expect(() => parseConfig({ MODEL_DIR: '/m', TELEMETRY_AUTH: 'managed-identity' })).toThrow(
      /TELEMETRY_AUTH="managed-identity": needs AZURE_CLIENT_ID or DEFAULT_IDENTITY_CLIENT_ID/,
    );
  });

  test('describeConfig redacts secrets', () => {
    const c = parseConfig({
      MODEL_DIR: '/m',
      API_KEY: 'k'.repeat(20),
      TELEMETRY_HASH_SALT: 'salt-value',
      APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=abc',
    });
    const text = JSON.stringify(describeConfig(c));
    expect(text).not.toContain('k'.repeat(20));
    expect(text).not.toContain('salt-value');
    expect(text).not.toContain('InstrumentationKey=abc');
  });
});
