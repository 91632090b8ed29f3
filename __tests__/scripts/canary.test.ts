/**
 * `npm run canary -- analyze` end to end on real local servers: blue and teal serve the same
 * model, green serves a deliberately worse one (trained on data whose fraud process shifted,
 * `--drift logit=3`, so its scores are far off). Each server runs `npm run serve`'s entry with
 * TELEMETRY_LOCAL_FILE; the CLI reads those files with a fixed test rollout (never the live
 * stacks/rollout.ts) and must roll green back and not teal.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateTransactions, parseDriftSpec } from '../../model/data/generate';
import { trainModelPackage } from '../../model/train/api';
import { runCanaryCli } from '../../scripts/canary';
import { REPO } from '../service/helpers';
import { spawnNodeProcess, type ServiceProcess } from '../service/process-harness';

const TSX = pathToFileURL(path.join(REPO, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
let dir: string;
const servers: ServiceProcess[] = [];

const ROLLOUT = `export const ROLLOUT = {
  dev: { deployments: { blue: { model: 'fraud-detection-model:v1', instanceType: 'Standard_DS2_v2', instanceCount: 1 } }, traffic: { blue: 100 } },
  staging: { deployments: { blue: { model: 'fraud-detection-model:v1', instanceType: 'Standard_DS3_v2', instanceCount: 1 } }, traffic: { blue: 100 } },
  prod: {
    deployments: {
      blue: { model: 'fraud-detection-model:v1', instanceType: 'Standard_DS3_v2', instanceCount: 2 },
      green: { model: 'fraud-detection-model:v2', instanceType: 'Standard_DS3_v2', instanceCount: 1 },
      teal: { model: 'fraud-detection-model:v1', instanceType: 'Standard_DS3_v2', instanceCount: 1 },
    },
    traffic: { blue: 80, green: 10, teal: 10 },
  },
};
`;

async function serve(
  deployment: string,
  modelDir: string,
): Promise<{ url: string; process: ServiceProcess }> {
  const p = spawnNodeProcess(['--import', TSX, path.join(REPO, 'service', 'cli', 'serve.ts')], {
    cwd: REPO,
    env: {
      MODEL_DIR: modelDir,
      DEPLOYMENT_NAME: deployment,
      TELEMETRY_LOCAL_FILE: path.join(dir, 'telemetry', `${deployment}.jsonl`),
      ORT_DISABLE_TELEMETRY: '1',
    },
  });
  servers.push(p);
  const { url } = (await p.waitFor('listening', 90_000)) as unknown as { url: string };
  await p.waitFor('ready', 90_000);
  return { url, process: p };
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'canary-e2e-'));
  const outRoot = path.join(dir, 'models');
  const common = {
    outRoot,
    params: { nTrees: 15 },
    createdAt: new Date('2026-01-01T00:00:00Z'),
    codeVersion: 'test',
  };
  const good = await trainModelPackage({
    ...common,
    data: generateTransactions({ rows: 5000, seed: 21 }).rows,
    version: 'v1',
  });
  const worse = await trainModelPackage({
    ...common,
    data: generateTransactions({ rows: 5000, seed: 21, drift: parseDriftSpec('logit=3') }).rows,
    version: 'v2',
  });
  fs.mkdirSync(path.join(dir, 'root', 'stacks'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'root', 'stacks', 'rollout.ts'), ROLLOUT);

  const [blue, green, teal] = await Promise.all([
    serve('blue', good.dir),
    serve('green', worse.dir),
    serve('teal', good.dir),
  ]);
  // The same transactions to each deployment, interleaved so that all three see the same load.
  const txs = generateTransactions({ rows: 240, seed: 99 }).rows;
  for (let i = 0; i < txs.length; i += 8) {
    await Promise.all(
      txs.slice(i, i + 8).flatMap((tx) =>
        [blue, green, teal].map(async (s) => {
          const res = await fetch(`${s.url}/score`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ features: tx }),
          });
          if (res.status !== 200) throw new Error(`${s.url}: ${res.status} ${await res.text()}`);
        }),
      ),
    );
  }
  for (const s of servers) s.child.kill('SIGTERM');
  await Promise.all(servers.map((s) => s.exited));
}, 300_000);

afterAll(() => {
  for (const s of servers) if (s.child.exitCode === null) s.kill();
  fs.rmSync(dir, { recursive: true, force: true });
});

function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  return runCanaryCli(args, {
    out: (t) => (out += `${t}\n`),
    err: (t) => (err += `${t}\n`),
    cwd: path.join(dir, 'root'),
    env: {},
  }).then((code) => ({ code, out, err }));
}

test('GIVEN a worse model on green THEN green is rolled back (exit 1) with evidence and the exact edit; teal is not', async () => {
  const r = await cli([
    'analyze',
    '--env',
    'prod',
    '--window',
    '1h',
    '--telemetry',
    path.join(dir, 'telemetry'),
  ]);
  expect(r.err).toBe('');
  expect(r.code).toBe(1);
  expect(r.out).toMatch(
    /green \(fraud-detection-model:v2, live 10 %\) vs stable blue \(fraud-detection-model:v1\): ROLL BACK - .*score distribution KS D = (0\.[3-9]\d\d|1\.000)/, // far above the 0.25 roll-back level
  );
  expect(r.out).toMatch(/volume\s+ok\s+green 240 vs blue 240 requests \(minimum 200 each\)/);
  expect(r.out).toContain(
    '    -    traffic: { blue: 80, green: 10, teal: 10 },\n    +    traffic: { blue: 90, green: 0, teal: 10 },',
  );
  // Teal serves the stable model: its scores and errors never ask for a roll back. Its latency is
  // three real servers sharing 2 cores, so the latency check alone may (a noisy p95 ratio was
  // seen at 1.68 in CI); the model-driven checks are what this test is about.
  expect(r.out).toMatch(
    /teal \(fraud-detection-model:v1, live 10 %\) vs stable blue \(fraud-detection-model:v1\): (PROMOTE|HOLD|ROLL BACK - p95 latency)/,
  );

  const json = await cli([
    'analyze',
    '--env',
    'prod',
    '--telemetry',
    path.join(dir, 'telemetry'),
    '--json',
    '-',
  ]);
  const analysis = JSON.parse(json.out) as {
    verdicts: { canary: string; verdict: string; evidence: { check: string; outcome: string }[] }[];
  };
  const teal = analysis.verdicts.find((v) => v.canary === 'teal');
  // Same model, same requests: the scores are identical; only latency noise (three real servers
  // on 2 shared cores) may ask for a hold or a roll back, never the model-driven checks.
  expect(teal?.evidence.find((e) => e.check === 'score-distribution')?.outcome).toBe('ok');
  expect(teal?.evidence.find((e) => e.check === 'error-rate')?.outcome).toBe('ok');
  const tealRollbacks = teal?.evidence.filter((e) => e.outcome === 'rollback').map((e) => e.check) ?? [];
  expect(tealRollbacks.filter((c) => c !== 'latency-p95')).toEqual([]);
}, 60_000);

test('a window before the traffic has no data: hold with "not enough data", exit 0', async () => {
  const r = await cli([
    'analyze',
    '--env',
    'prod',
    '--window',
    '1h',
    '--end',
    '2020-01-01T00:00:00Z',
    '--telemetry',
    path.join(dir, 'telemetry'),
  ]);
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/green .*: HOLD - not enough data: green 0 vs blue 0 requests/);
});

test('errors exit 2 with the reason', async () => {
  expect(await cli(['analyze'])).toMatchObject({
    code: 2,
    err: expect.stringMatching(/--env must be one of dev, staging, prod, got nothing/),
  });
  expect(await cli(['analyze', '--env', 'prod', '--window', '1y', '--telemetry', dir])).toMatchObject({
    code: 2,
    err: expect.stringMatching(/--window must be a duration like 30m, 1h/),
  });
  expect(await cli(['analyze', '--env', 'prod', '--telemetry', path.join(dir, 'nope')])).toMatchObject({
    code: 2,
    err: expect.stringMatching(/local telemetry '.*nope' does not exist/),
  });
  expect(await cli(['analyze', '--env', 'prod'])).toMatchObject({
    code: 2,
    err: expect.stringMatching(
      /--source log-analytics without --workspace-id needs --subscription \(or AZURE_SUBSCRIPTION_ID/,
    ),
  });
  expect(await cli(['promote', '--env', 'prod'])).toMatchObject({
    code: 2,
    err: expect.stringMatching(/expected the command 'analyze' or 'notify'/),
  });
});

test('--apply-edit writes the roll back into stacks/rollout.ts (comment-preserving editor) and --json writes a file', async () => {
  const file = path.join(dir, 'root', 'stacks', 'rollout.ts');
  const before = fs.readFileSync(file, 'utf8');
  try {
    const r = await cli([
      'analyze',
      '--env',
      'prod',
      '--telemetry',
      path.join(dir, 'telemetry'),
      '--apply-edit',
      '--json',
      'canary.json',
    ]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /apply-edit: rollback green: prod: blue 80 -> 90, green 10 -> 0 \(written to stacks\/rollout\.ts\)/,
    );
    expect(fs.readFileSync(file, 'utf8')).toBe(
      before.replace(
        'traffic: { blue: 80, green: 10, teal: 10 }',
        'traffic: { blue: 90, green: 0, teal: 10 }',
      ),
    );
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'root', 'canary.json'), 'utf8')) as {
      verdict: string;
    };
    expect(json.verdict).toBe('rollback');
  } finally {
    fs.writeFileSync(file, before);
  }
});

test('an environment without a canary needs no data source: exit 0, "no canary"', async () => {
  const r = await cli(['analyze', '--env', 'dev', '--json', '-']);
  expect(r).toMatchObject({ code: 0, err: '' });
  expect(JSON.parse(r.out)).toMatchObject({
    verdict: 'none',
    stable: 'blue',
    verdicts: [],
    source: 'none (no canary)',
  });
});
