/**
 * The bundled service (server.js from bundleServiceSync, as in the image) in a real process:
 * startup, readiness, config errors, SIGTERM with requests in flight, and telemetry to a local
 * Application Insights ingestion endpoint.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { bundleServiceSync, SERVICE_EXTERNALS } from '../../service/bundle';
import { REPO, trainedModelRoot, transaction } from './helpers';
import { spawnService, type ServiceProcess } from './process-harness';
import { selfSignedCert } from '../helpers/self-signed-cert';

let outDir: string;
let serverJs: string;
let modelRoot: string;
const running: ServiceProcess[] = [];

beforeAll(async () => {
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fraud-service-bundle-'));
  serverJs = path.join(outDir, 'server.js');
  modelRoot = await trainedModelRoot();
  bundleServiceSync({ outDir });
});
afterEach(() => {
  for (const p of running.splice(0)) p.kill();
});
afterAll(() => fs.rmSync(outDir, { recursive: true, force: true }));

function start(env: Record<string, string> = {}): ServiceProcess {
  const p = spawnService(serverJs, {
    MODEL_DIR: modelRoot,
    DEPLOYMENT_NAME: 'green',
    DRAIN_DELAY_MS: '300',
    ...env,
  });
  running.push(p);
  return p;
}

/** A request whose body is held back until `finish()`: it is in flight across SIGTERM. */
function slowRequest(
  url: string,
  body: string,
): { connected: Promise<void>; finish: () => void; response: Promise<{ status: number; body: string }> } {
  const u = new URL(`${url}/score`);
  const req = http.request({
    host: u.hostname,
    port: u.port,
    path: u.pathname,
    method: 'POST',
    agent: false,
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
  });
  const half = Math.floor(body.length / 2);
  const connected = new Promise<void>((resolve) =>
    req.once('socket', (s) => s.once('connect', () => resolve())),
  );
  req.write(body.slice(0, half));
  req.flushHeaders();
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.once('response', (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.once('error', reject);
  });
  return { connected, finish: () => req.end(body.slice(half)), response };
}

async function until(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('the build context holds the bundle, the Dockerfile and a runtime-only lock', () => {
  expect(fs.readdirSync(outDir).sort()).toEqual([
    '.dockerignore',
    'Dockerfile',
    'package-lock.json',
    'package.json',
    'server.js',
  ]);
  const dockerfile = fs.readFileSync(path.join(outDir, 'Dockerfile'), 'utf8');
  expect(dockerfile).toMatch(/^FROM node:20\.\d+\.\d+-bookworm-slim$/m);
  expect(dockerfile).toMatch(/^USER node$/m);
  expect(dockerfile).toMatch(/^CMD \["node", "server\.js"\]$/m);
  expect(dockerfile).toMatch(/ONNXRUNTIME_NODE_INSTALL=skip npm ci --omit=dev/);
  expect(dockerfile).toMatch(/^HEALTHCHECK /m);
  const runtime = JSON.parse(fs.readFileSync(path.join(outDir, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  const rootLock = JSON.parse(fs.readFileSync(path.join(REPO, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version: string }>;
  };
  expect(Object.keys(runtime.dependencies).sort()).toEqual([...SERVICE_EXTERNALS].sort());
  for (const [name, version] of Object.entries(runtime.dependencies)) {
    expect(`${name}@${version}`).toBe(`${name}@${rootLock.packages[`node_modules/${name}`].version}`);
  }
  const lock = JSON.parse(fs.readFileSync(path.join(outDir, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string; dev?: boolean }>;
  };
  expect(lock.packages['node_modules/onnxruntime-node'].version).toBe('1.30.0');
  expect(lock.packages['node_modules/express']).toBeUndefined(); // bundled, not installed
  const bundle = fs.readFileSync(serverJs, 'utf8');
  expect(bundle).toMatch(/require\("onnxruntime-node"\)/);
  // Deterministic: the infrastructure hashes this folder, so an identical source must give identical bytes.
  const again = fs.mkdtempSync(path.join(os.tmpdir(), 'fraud-service-bundle-again-'));
  try {
    expect(bundleServiceSync({ outDir: again }).files).toEqual(fs.readdirSync(outDir).sort());
    for (const f of fs.readdirSync(outDir)) {
      expect(fs.readFileSync(path.join(again, f)).equals(fs.readFileSync(path.join(outDir, f)))).toBe(true);
    }
  } finally {
    fs.rmSync(again, { recursive: true, force: true });
  }
});

test('GIVEN a model dir WHEN the bundle starts THEN it listens, becomes ready and serves the original request shape', async () => {
  const p = start();
  const { url } = (await p.waitFor('listening')) as unknown as { url: string };
  const ready = await p.waitFor('ready');
  expect(ready).toMatchObject({ model: 'fraud-test:1', modelDirSource: 'MODEL_DIR' });
  // The ORT worker thread runs the bundle itself and is warmed up before 'ready'.
  expect(ready.ortWorker).toEqual({ minRows: 128, threadId: expect.any(Number) });
  expect((await fetch(`${url}/health/ready`)).status).toBe(200);
  const res = await fetch(`${url}/score`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ features: transaction(2) }),
  });
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({
    model: 'fraud-test:1',
    deployment: 'green',
    pred_proba: expect.any(Number),
  });
  const rows = Array.from({ length: 200 }, (_, i) => transaction(i));
  const batch = await fetch(`${url}/score`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ instances: rows }),
  });
  expect(batch.status).toBe(200);
  const { predictions } = (await batch.json()) as { predictions: number[] };
  expect(predictions).toHaveLength(200);
  for (const p of predictions) expect(p >= 0 && p <= 1).toBe(true);
  p.child.kill('SIGTERM');
  expect(await p.exited).toEqual({ code: 0, signal: null });
});

test('GIVEN bad configuration THEN the process exits 1 naming every bad variable', async () => {
  const p = spawnService(serverJs, { MODEL_DIR: '', PORT: 'eighty', MAX_BATCH: '-5' });
  running.push(p);
  const line = await p.waitFor('configuration rejected');
  expect((line.problems as string[]).join('\n')).toMatch(
    /PORT="eighty"[\s\S]*MODEL_DIR \/ AZUREML_MODEL_DIR[\s\S]*MAX_BATCH="-5"|PORT="eighty"[\s\S]*MAX_BATCH="-5"[\s\S]*MODEL_DIR/,
  );
  expect((await p.exited).code).toBe(1);
});

test('GIVEN a model dir without a package THEN readiness never turns 200 and the process exits 1', async () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'fraud-empty-models-'));
  try {
    const p = start({ MODEL_DIR: empty });
    const failed = await p.waitFor('model load failed');
    expect(String((failed.err as { message: string }).message)).toMatch(/no model package/);
    expect(p.lines.some((l) => l.msg === 'ready')).toBe(false);
    expect((await p.exited).code).toBe(1);
  } finally {
    fs.rmSync(empty, { recursive: true, force: true });
  }
});

test('WHEN SIGTERM arrives with requests in flight THEN every one is answered, then the process exits 0 and stops accepting', async () => {
  // The 2-row batches go to the ORT worker thread: its runs in flight must finish too.
  const p = start({ SHUTDOWN_GRACE_MS: '8000', LOG_LEVEL: 'debug', ORT_WORKER_MIN_ROWS: '2' });
  const { url } = (await p.waitFor('listening')) as unknown as { url: string };
  await p.waitFor('ready');
  const inFlight = Array.from({ length: 6 }, (_, i) =>
    slowRequest(
      url,
      JSON.stringify(
        i % 2 ? { features: transaction(i) } : { instances: [transaction(i), transaction(i + 1)] },
      ),
    ),
  );
  await Promise.all(inFlight.map((r) => r.connected));
  // Wait until the server has parsed every request's headers: from then on it is in flight.
  await until(
    () => p.lines.filter((l) => l.msg === 'request' && l.path === '/score').length === inFlight.length,
  );
  p.child.kill('SIGTERM');
  await p.waitFor('draining');
  p.child.kill('SIGTERM'); // a repeated signal must not cut the drain short
  for (const r of inFlight) r.finish();
  const answers = await Promise.all(inFlight.map((r) => r.response));
  answers.forEach((a, i) => {
    expect(a.status).toBe(200);
    const body = JSON.parse(a.body) as { pred_proba?: number; predictions?: number[] };
    if (i % 2) expect(body.pred_proba).toEqual(expect.any(Number));
    else expect(body.predictions).toHaveLength(2);
  });
  expect(await p.exited).toEqual({ code: 0, signal: null });
  expect(p.lines.find((l) => l.msg === 'stopped')).toMatchObject({ reason: 'SIGTERM' });
  await expect(fetch(`${url}/health/live`)).rejects.toThrow();
});

test('GIVEN a connection string THEN requests, custom metrics and drift aggregates reach the ingestion endpoint on SIGTERM, without identifiers', async () => {
  const received: Record<string, unknown>[] = [];
  const tls = selfSignedCert(outDir);
  const ingestion = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let raw = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') raw = zlib.gunzipSync(raw);
      const items = raw
        .toString('utf8')
        .split('\n')
        .filter((s) => s.trim())
        .flatMap((s): Record<string, unknown>[] => {
          const parsed = JSON.parse(s) as Record<string, unknown> | Record<string, unknown>[];
          return Array.isArray(parsed) ? parsed : [parsed];
        });
      received.push(...items);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ itemsReceived: items.length, itemsAccepted: items.length, errors: [] }));
    });
  });
  await new Promise<void>((resolve) => ingestion.listen(0, '127.0.0.1', resolve));
  const port = (ingestion.address() as AddressInfo).port;
  try {
    const p = start({
      APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint=https://127.0.0.1:${port}/`,
      NODE_EXTRA_CA_CERTS: tls.certPath,
      APPLICATIONINSIGHTS_STATSBEAT_DISABLED: 'true',
      // The SDK's default keeps 5 request traces per second (rate-limited): record every one here.
      OTEL_TRACES_SAMPLER: 'always_on',
      TELEMETRY_FLUSH_INTERVAL_MS: '600000',
    });
    const { url } = (await p.waitFor('listening', 60_000)) as unknown as { url: string };
    await p.waitFor('ready', 60_000);
    const post = (body: unknown) =>
      fetch(`${url}/score`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await post({ features: transaction(1) })).status).toBe(200);
    expect((await post({ instances: [transaction(2), transaction(3)] })).status).toBe(200);
    expect((await post({ features: { amount: 'bad', customer_id: 'CUST-SECRET-9' } })).status).toBe(400);
    p.child.kill('SIGTERM');
    expect((await p.exited).code).toBe(0);
  } finally {
    await new Promise<void>((resolve) => ingestion.close(() => resolve()));
  }
  const text = JSON.stringify(received);
  expect(text).not.toMatch(/CUST-SECRET|dev-\d+-fp|tx-10\d\d/);
  const baseTypes = new Set(received.map((r) => (r.data as { baseType?: string } | undefined)?.baseType));
  expect(baseTypes).toContain('RequestData');
  expect(baseTypes).toContain('MetricData');
  expect(baseTypes).toContain('EventData');
  expect(text).toContain('scoring_latency_ms');
  expect(text).toContain('scoring_drift_window');
  expect(text).toContain('scoring_invalid_requests');
  expect(text).toContain('"deployment":"green"');
}, 150_000);
