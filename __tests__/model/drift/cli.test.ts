/**
 * `npm run drift` end to end: a real model package, CSVs from the generator (undrifted and
 * with --drift), the exit codes 0 / 1 / 2, both reports, and the drift metrics reaching an
 * Application Insights ingestion endpoint on 127.0.0.1 through the real SDK.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as zlib from 'node:zlib';
import type { DriftReport } from '../../../model/drift/compare';
import { DRIFT_METRIC_CONTRACT } from '../../../model/drift/metrics';
import { buildDriftFixture, type DriftFixture } from './fixture';
import { selfSignedCert } from '../../helpers/self-signed-cert';

const REPO = path.join(__dirname, '..', '..', '..');
const TSX = pathToFileURL(path.join(REPO, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
let dir: string;
let fx: DriftFixture;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'drift-cli-'));
  fx = await buildDriftFixture(dir);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as `npm run drift` does (tsx), asynchronously so a local server can answer. */
function drift(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', TSX, path.join(REPO, 'model', 'cli', 'drift.ts'), ...args],
      {
        cwd: dir,
        env: {
          ...process.env,
          ORT_DISABLE_TELEMETRY: '1',
          APPLICATIONINSIGHTS_CONNECTION_STRING: '',
          ...env,
        },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

const readReport = (out: string): DriftReport =>
  JSON.parse(fs.readFileSync(path.join(dir, out, 'drift-report.json'), 'utf8')) as DriftReport;

test('GIVEN undrifted data THEN exit 0, no feature drifted, both reports written, metrics skipped', async () => {
  const r = await drift(['--baseline', fx.packageDir, '--current', fx.undriftedCsv, '--out-dir', 'same']);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/no drift in 12 tests/);
  expect(r.stdout).toMatch(/drift metrics not sent: APPLICATIONINSIGHTS_CONNECTION_STRING is not set/);
  const report = readReport('same');
  expect(report.drifted).toBe(false);
  expect(report.features.map((f) => f.feature).sort()).toEqual(
    [
      'amount',
      'amount_to_avg_spend',
      'avg_monthly_spend',
      'currency',
      'customer_tenure_days',
      'day_of_week',
      'hour_of_day',
      'ip_geo_country',
      'is_night',
      'merchant_category',
      'num_prev_tx_24h',
      'pred_proba',
    ].sort(),
  );
  for (const f of report.features) {
    expect(f.test).toBe(f.kind === 'categorical' ? 'chi2' : 'ks-binned');
    expect(f.pValueThreshold).toBe(0.1);
    expect(f.currentRows).toBe(2000);
  }
  expect(fs.readFileSync(path.join(dir, 'same', 'drift-report.html'), 'utf8')).toMatch(
    /No drift detected in 12 tests/,
  );
}, 60_000);

test('GIVEN data generated with --drift THEN exit 1 and the shifted features are flagged, drifted first', async () => {
  const r = await drift([
    '--baseline',
    fx.packageDir,
    '--current',
    fx.driftedCsv,
    '--baseline-data',
    fx.trainCsv,
    '--out',
    'drift',
  ]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(1);
  const report = readReport('drift');
  expect(report.drifted).toBe(true);
  // amount=1.5 and night=3 shift these; merchant mix and weekday are untouched.
  expect(report.driftedFeatures).toEqual(
    expect.arrayContaining(['amount', 'hour_of_day', 'is_night', 'pred_proba']),
  );
  expect(report.driftedFeatures).not.toContain('merchant_category');
  expect(report.driftedFeatures).not.toContain('day_of_week');
  const amount = report.features.find((f) => f.feature === 'amount');
  expect(amount).toMatchObject({ test: 'ks', drifted: true }); // raw values from --baseline-data
  const firstOk = report.features.findIndex((f) => !f.drifted);
  expect(report.features.slice(firstOk).every((f) => !f.drifted)).toBe(true);
  const html = fs.readFileSync(path.join(dir, 'drift', 'drift-report.html'), 'utf8');
  expect(html.indexOf('id="f-amount"')).toBeLessThan(html.indexOf('id="f-merchant_category"'));
  expect((html.match(/<svg /g) ?? []).length).toBe(12);
  const md = fs.readFileSync(path.join(dir, 'drift', 'drift.md'), 'utf8');
  expect(md).toMatch(/\*\*Drift detected\*\* in \d+ of 12 tests/);
  expect(md).toMatch(/^\| amount \| ks \| 0\.\d+ \| [^|]+ \| [^|]+ \| \*\*yes\*\* \(p-value/m);
}, 60_000);

test('errors exit 2 with the reason: missing package, too few rows, bad option', async () => {
  const missing = await drift(['--baseline', path.join(dir, 'nope'), '--current', fx.undriftedCsv]);
  expect(missing.status).toBe(2);
  expect(missing.stderr).toMatch(/drift: error: model package folder '.*nope' does not exist/);
  const few = await drift([
    '--baseline',
    fx.packageDir,
    '--current',
    fx.undriftedCsv,
    '--min-rows',
    '5000',
    '--no-score',
  ]);
  expect(few.status).toBe(2);
  expect(few.stderr).toMatch(/not enough current data: 2000 row\(s\).*at least 5000 needed/);
  const bad = await drift(['--baseline', fx.packageDir, '--current', fx.undriftedCsv, '--p-value', '2']);
  expect(bad.status).toBe(2);
  expect(bad.stderr).toMatch(/--p-value must be a number/);
  const noCsv = await drift(['--baseline', fx.packageDir, '--current', path.join(dir, 'missing.csv')]);
  expect(noCsv.status).toBe(2);
  expect(noCsv.stderr).toMatch(/missing\.csv' does not exist/);
}, 60_000);

interface Envelope {
  data?: {
    baseType?: string;
    baseData?: { metrics?: { name: string; value: number }[]; properties?: Record<string, string> };
  };
}

test('GIVEN a connection string THEN the drift metrics of the contract reach the ingestion endpoint', async () => {
  const received: Envelope[] = [];
  const tls = selfSignedCert(dir);
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
        .flatMap((s) => {
          const parsed = JSON.parse(s) as Envelope | Envelope[];
          return Array.isArray(parsed) ? parsed : [parsed];
        });
      received.push(...items);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ itemsReceived: items.length, itemsAccepted: items.length, errors: [] }));
    });
  });
  await new Promise<void>((resolve) => ingestion.listen(0, '127.0.0.1', resolve));
  const port = (ingestion.address() as AddressInfo).port;
  let r: Run;
  try {
    r = await drift(
      [
        '--baseline',
        fx.packageDir,
        '--current',
        fx.driftedCsv,
        '--no-score',
        '--out-dir',
        'metrics',
        '--env',
        'staging',
      ],
      {
        APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint=https://127.0.0.1:${port}/`,
        NODE_EXTRA_CA_CERTS: tls.certPath,
      },
    );
  } finally {
    await new Promise<void>((resolve) => ingestion.close(() => resolve()));
  }
  expect(r.stderr).toBe('');
  expect(r.status).toBe(1);
  expect(r.stdout).toMatch(/sent 12 drift metric\(s\) to Application Insights \(environment staging\)/);
  const metrics = received
    .filter((e) => e.data?.baseType === 'MetricData')
    .flatMap((e) =>
      (e.data?.baseData?.metrics ?? []).map((m) => ({
        ...m,
        properties: e.data?.baseData?.properties ?? {},
      })),
    );
  const detected = metrics.filter((m) => m.name === DRIFT_METRIC_CONTRACT.detected.name);
  expect(detected).toHaveLength(1);
  expect(detected[0].value).toBe(1);
  expect(detected[0].properties).toMatchObject({ model: 'fraud-detection-model:v1', environment: 'staging' });
  const perFeature = metrics.filter((m) => m.name === DRIFT_METRIC_CONTRACT.featureStatistic.name);
  expect(perFeature).toHaveLength(11); // 8 numeric + 3 categorical; --no-score
  const amount = perFeature.find((m) => m.properties.feature === 'amount');
  expect(amount?.properties).toMatchObject({ test: 'ks-binned', drifted: 'true', environment: 'staging' });
  // Nothing else is sent: no request/dependency telemetry, no statsbeat.
  expect(new Set(received.map((e) => e.data?.baseType))).toEqual(new Set(['MetricData']));
}, 60_000);
