/**
 * The drift job's code asset is the real drift CLI: bundled by esbuild exactly as synth does, it
 * runs with plain `node` (the job image has no node_modules), and the job's command line finds the
 * model package inside the mounted model input and keeps a CLI error a failed job.
 */
import { hashPath } from 'cdktf/lib/private/fs';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { DRIFT_METRIC_CONTRACT } from '../../model/drift/metrics';
import { DRIFT_BUNDLE_FILE, DRIFT_JOB_COMMAND, writeDriftCode } from '../../stacks/drift-job';
import { buildDriftFixture } from '../model/drift/fixture';
import { selfSignedCert } from '../helpers/self-signed-cert';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'drift-job-test-'));
  mkdirSync(path.join(dir, 'code'));
  // The asset hash it hands over is cdktf's own hash of the folder it wrote.
  const written = writeDriftCode({ outDir: path.join(dir, 'code') });
  expect(written).toEqual({ files: [DRIFT_BUNDLE_FILE], assetHash: hashPath(path.join(dir, 'code')) });
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env = { PATH: process.env.PATH ?? '', ORT_DISABLE_TELEMETRY: '1' };

test('the bundle runs on its own: --help exits 0 with the usage', () => {
  const r = spawnSync(process.execPath, [DRIFT_BUNDLE_FILE, '--help'], {
    cwd: path.join(dir, 'code'),
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/^usage: npm run drift -- --baseline <model package> --current/);
});

test('the job command finds model.json one folder down and fails the job on a CLI error (exit 2)', () => {
  // What a custom_model input may look like when mounted: the package one folder down.
  const pkg = path.join(dir, 'mnt', 'INPUT_model', 'fraud-detection-model');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(path.join(pkg, 'model.json'), '{"name": "broken"}');
  const command = DRIFT_JOB_COMMAND.replace('${{inputs.model}}', path.join(dir, 'mnt', 'INPUT_model'))
    .replace('${{inputs.environment}}', 'dev')
    .replace('${{outputs.report}}', path.join(dir, 'out'));
  expect(command).not.toContain('${{');
  const r = spawnSync('sh', ['-c', command], {
    cwd: path.join(dir, 'code'),
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  // The CLI read the nested package (and refused it); `|| test $? -eq 1` turned its 2 into a failure.
  expect(r.stderr).toContain('drift: error:');
  expect(r.stderr).toContain(pkg);
  expect(r.status).toBe(1);
});

interface MetricEnvelope {
  data?: {
    baseType?: string;
    baseData?: { metrics?: { name: string; value: number }[]; properties?: Record<string, string> };
  };
}

test('on drift the job command succeeds (exit 1 -> 0) and the bundled CLI sends the metric the alert reads', async () => {
  // The real command with only the data source swapped (a drifted CSV instead of Log Analytics).
  const fx = await buildDriftFixture(dir, { train: 3000, current: 1000 });
  const modelsRoot = path.dirname(path.dirname(fx.packageDir)); // <root>/<model name>/<version>/model.json
  const command = DRIFT_JOB_COMMAND.replace('${{inputs.model}}', modelsRoot)
    .replace('--current log-analytics --window 24h', `--current ${fx.driftedCsv} --no-score`)
    .replace('${{inputs.environment}}', 'dev')
    .replace('${{outputs.report}}', path.join(dir, 'report'));
  expect(command).toContain('|| test $? -eq 1');

  const received: MetricEnvelope[] = [];
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
        .filter((line) => line.trim())
        .flatMap((line) => [JSON.parse(line) as MetricEnvelope | MetricEnvelope[]].flat());
      received.push(...items);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ itemsReceived: items.length, itemsAccepted: items.length, errors: [] }));
    });
  });
  await new Promise<void>((resolve) => ingestion.listen(0, '127.0.0.1', resolve));
  const port = (ingestion.address() as AddressInfo).port;
  let run: { status: number | null; stdout: string; stderr: string };
  try {
    run = await new Promise((resolve, reject) => {
      const child = spawn('sh', ['-c', command], {
        cwd: path.join(dir, 'code'),
        env: {
          ...env,
          APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint=https://127.0.0.1:${port}/`,
          NODE_EXTRA_CA_CERTS: tls.certPath,
        },
      });
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
  } finally {
    await new Promise<void>((resolve) => ingestion.close(() => resolve()));
  }
  expect(run.stderr).toBe('');
  expect(run.stdout).toMatch(/^drift detected in \d+ of \d+ tests/);
  expect(run.stdout).toMatch(/sent \d+ drift metric\(s\) to Application Insights \(environment dev\)/);
  expect(run.status).toBe(0);
  const detected = received
    .filter((e) => e.data?.baseType === 'MetricData')
    .flatMap((e) =>
      (e.data?.baseData?.metrics ?? []).map((m) => ({
        ...m,
        properties: e.data?.baseData?.properties ?? {},
      })),
    )
    .filter((m) => m.name === DRIFT_METRIC_CONTRACT.detected.name);
  expect(detected).toEqual([
    expect.objectContaining({ value: 1, properties: expect.objectContaining({ environment: 'dev' }) }),
  ]);
}, 120_000);
