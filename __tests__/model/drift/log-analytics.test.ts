/**
 * The Log Analytics sources with the real @azure/monitor-query-logs client against a local
 * HTTPS endpoint that answers like the query API: the KQL each source sends, the bearer token,
 * and how rows become drift input (summed drift windows of the service) and canary data.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { kqlString, driftWindowKql } from '../../../model/drift/sources/log-analytics';
import { trafficKql } from '../../../model/canary/log-analytics-source';
import { featureMatrix } from '../../../model/features';
import type { ScoringInput } from '../../../model/schema';
import { DriftAggregator } from '../../../service/telemetry/drift-aggregator';
import { driftEventProperties } from '../../../service/telemetry/service-telemetry';
import { generateTransactions } from '../../../model/data/generate';
import { loadModelPackage } from '../../../model/package/loader';
import { buildDriftFixture, type DriftFixture } from './fixture';
import { selfSignedCert } from '../../helpers/self-signed-cert';

const REPO = path.join(__dirname, '..', '..', '..');
const TSX = pathToFileURL(path.join(REPO, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
let dir: string;
let fx: DriftFixture;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'la-source-'));
  fx = await buildDriftFixture(dir, { train: 3000, current: 10 });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('values spliced into KQL are checked', () => {
  expect(kqlString('fraud-detection-model:7', 'model')).toBe('"fraud-detection-model:7"');
  expect(() => kqlString('x" or 1==1', 'model')).toThrow(/model 'x" or 1==1' cannot be used in a query/);
  expect(driftWindowKql('m:1')).toContain('where tostring(Properties.model) == "m:1"');
  expect(trafficKql('ep', ['blue'])).toContain('where DeploymentName in ("blue")');
});

test('GIVEN the service drift windows and traffic rows in Log Analytics THEN both sources read them through the real client', async () => {
  const { manifest } = loadModelPackage(fx.packageDir);
  // Two real drift windows, built by the service's own aggregator and event encoder.
  const inputs = generateTransactions({ rows: 300, seed: 4 }).rows as unknown as ScoringInput[];
  const windows = [inputs.slice(0, 120), inputs.slice(120)].map((part) => {
    const agg = new DriftAggregator(manifest);
    agg.record(
      featureMatrix(part, manifest.featureSpec),
      part,
      Float32Array.from(part, (_, i) => (i % 10) / 10),
    );
    return {
      ...driftEventProperties(agg.take()),
      model: `${manifest.name}:${manifest.version}`,
      deployment: 'blue',
    };
  });
  const queries: { body: { query: string; timespan?: string }; auth?: string; url?: string }[] = [];
  const tls = selfSignedCert(dir);
  const server = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const body = JSON.parse(raw) as { query: string; timespan?: string };
      queries.push({ body, auth: req.headers.authorization, url: req.url });
      const table = (columns: [string, string][], rows: unknown[][]) => ({
        tables: [{ name: 'PrimaryResult', columns: columns.map(([name, type]) => ({ name, type })), rows }],
      });
      let answer;
      if (body.query.startsWith('AppEvents\n| where Name == "scoring_drift_window"')) {
        answer = table(
          [
            ['TimeGenerated', 'datetime'],
            ['Properties', 'dynamic'],
          ],
          windows.map((w) => ['2026-01-01T01:00:00Z', JSON.stringify(w)]),
        );
      } else if (body.query.startsWith('AmlOnlineEndpointTrafficLog')) {
        answer = table(
          [
            ['DeploymentName', 'string'],
            ['requests', 'long'],
            ['errors', 'long'],
            ['p95', 'real'],
          ],
          [
            ['blue', 900, 3, 12.5],
            ['green', 100, 4, 20],
          ],
        );
      } else {
        answer = table(
          [
            ['deployment', 'string'],
            ['score', 'real'],
            ['model', 'string'],
          ],
          [
            ['blue', 0.1, 'm:1'],
            ['green', 0.7, 'm:2'],
            ['green', 0.9, 'm:2'],
          ],
        );
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  let out = '';
  let err = '';
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        TSX,
        path.join(__dirname, 'log-analytics-child.ts'),
        `https://127.0.0.1:${port}/v1`,
        path.join(fx.packageDir, 'model.json'),
      ],
      { env: { PATH: process.env.PATH ?? '', NODE_EXTRA_CA_CERTS: tls.certPath } },
    );
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('close', resolve);
  });
  await new Promise<void>((resolve) => server.close(() => resolve()));
  expect(err).toBe('');
  expect(code).toBe(0);
  expect(queries).toHaveLength(3);
  for (const q of queries) {
    expect(q.url).toBe('/v1/workspaces/00000000-0000-0000-0000-00000000abcd/query');
    expect(q.auth).toBe('Bearer test-token');
    expect(q.body.timespan).toBe('2026-01-01T00:00:00.000Z/2026-01-02T00:00:00.000Z');
  }
  const result = JSON.parse(out) as {
    current: {
      rows: number;
      numeric: Record<string, { counts: number[] }>;
      categorical: Record<string, Record<string, number>>;
      score: { counts: number[] };
    };
    canary: Record<
      string,
      { requests: number; errors: number; p95LatencyMs: number; scores: number[]; model?: string }
    >;
  };
  expect(result.current.rows).toBe(300);
  const amount = result.current.numeric.amount.counts;
  expect(amount).toHaveLength(manifest.baseline.numeric.amount.edges.length + 1);
  expect(amount.reduce((a, b) => a + b, 0)).toBe(300);
  expect(result.current.score.counts.reduce((a, b) => a + b, 0)).toBe(300);
  expect(Object.values(result.current.categorical.merchant_category).reduce((a, b) => a + b, 0)).toBe(300);
  expect(result.canary.blue).toMatchObject({
    requests: 900,
    errors: 3,
    p95LatencyMs: 12.5,
    scores: [0.1],
    model: 'm:1',
  });
  expect(result.canary.green).toMatchObject({
    requests: 100,
    errors: 4,
    p95LatencyMs: 20,
    scores: [0.7, 0.9],
  });
}, 60_000);
