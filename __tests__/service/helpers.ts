/**
 * Shared test fixtures for the service: a tiny real model trained with the model pipeline
 * (cached across test files by a hash of the model code, so each file does not retrain), an
 * app listening on 127.0.0.1, and valid transactions.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateTransactions } from '../../model/data/generate';
import { trainModelPackage } from '../../model/train/api';
import { findModelPackage } from '../../model/package/loader';
import { buildApp, type AppDeps } from '../../service/app';
import { createJsonLogger, type Logger } from '../../service/logger';
import { loadServingModel, type ServingModel } from '../../service/scoring/load-model';
import { ServingState } from '../../service/scoring/serving-state';
import type { ServiceTelemetry } from '../../service/telemetry/service-telemetry';
import type { TelemetryProperties, TelemetrySink } from '../../service/telemetry/sink';

export const REPO = path.resolve(__dirname, '../..');
const TRAIN_ROWS = 20_000;
const TRAIN_SEED = 7;

function hashDir(dir: string, h: ReturnType<typeof createHash>): void {
  for (const entry of fs
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) hashDir(p, h);
    else if (entry.name.endsWith('.ts')) h.update(entry.name).update(fs.readFileSync(p));
  }
}

/**
 * A model package trained by the real pipeline on seeded synthetic data. Trained once per
 * model-code version: the cache folder is named by a hash of model/**.ts and the parameters.
 */
export async function trainedModelRoot(): Promise<string> {
  const h = createHash('sha256').update(`${TRAIN_ROWS}:${TRAIN_SEED}`);
  hashDir(path.join(REPO, 'model'), h);
  const root = path.join(os.tmpdir(), `fraud-service-test-model-${h.digest('hex').slice(0, 16)}`);
  if (fs.existsSync(path.join(root, 'done'))) return root;
  const staging = fs.mkdtempSync(`${root}.tmp-`);
  const { rows } = generateTransactions({ rows: TRAIN_ROWS, seed: TRAIN_SEED });
  await trainModelPackage({
    data: rows,
    outRoot: staging,
    name: 'fraud-test',
    version: '1',
    seed: TRAIN_SEED,
  });
  fs.writeFileSync(path.join(staging, 'done'), '');
  try {
    fs.renameSync(staging, root);
  } catch {
    fs.rmSync(staging, { recursive: true, force: true }); // another worker won the race
  }
  return root;
}

export async function trainedPackageDir(): Promise<string> {
  return findModelPackage(await trainedModelRoot());
}

/** Logs into an array (tests assert on what is logged, e.g. no identifiers). */
export function memoryLogger(level: 'debug' | 'info' = 'debug'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { lines, logger: createJsonLogger({ level, write: (l) => lines.push(l) }) };
}

export interface TestServer {
  readonly url: string;
  readonly state: ServingState;
  close(): Promise<void>;
}

export async function listenApp(
  deps: Partial<Omit<AppDeps, 'config'>> & { config?: Partial<AppDeps['config']> },
): Promise<TestServer> {
  const state = deps.state ?? new ServingState();
  const app = buildApp({
    config: { deploymentName: 'blue', maxBatch: 50, bodyLimitBytes: 64 * 1024, ...deps.config },
    state,
    logger: deps.logger ?? memoryLogger().logger,
    telemetry: deps.telemetry as ServiceTelemetry | undefined,
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function loadTestModel(): Promise<ServingModel> {
  return loadServingModel(await trainedModelRoot(), { microBatchMaxRows: 64 });
}

/** A valid transaction in the original CSV schema (identifiers included, label omitted). */
export function transaction(i = 0): Record<string, string | number> {
  return {
    transaction_id: `tx-${1000 + i}`,
    transaction_ts: '2025-09-01T10:15:00Z',
    customer_id: `CUST-SECRET-${i}`,
    merchant_id: `M-${i % 7}`,
    amount: 12.5 + i * 3.25,
    currency: 'USD',
    merchant_category: ['grocery', 'electronics', 'travel', 'retail'][i % 4],
    device_fingerprint: `dev-${i}-fp`,
    ip_geo_country: ['US', 'GB', 'NG', 'BR'][i % 4],
    hour_of_day: i % 24,
    day_of_week: i % 7,
    customer_tenure_days: 10 + i * 11,
    avg_monthly_spend: 300 + i,
    num_prev_tx_24h: i % 5,
  };
}

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** A telemetry sink that keeps what it is given (the exporter itself is tested in server-process). */
export class MemorySink implements TelemetrySink {
  readonly metrics: { name: string; value: number; properties: TelemetryProperties }[] = [];
  readonly events: { name: string; properties: TelemetryProperties }[] = [];
  readonly exceptions: { error: Error; properties: TelemetryProperties }[] = [];
  trackMetric(name: string, value: number, properties: TelemetryProperties): void {
    this.metrics.push({ name, value, properties });
  }
  trackEvent(name: string, properties: TelemetryProperties): void {
    this.events.push({ name, properties });
  }
  trackException(error: Error, properties: TelemetryProperties): void {
    this.exceptions.push({ error, properties });
  }
  async flush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}
