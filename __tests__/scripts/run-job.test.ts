/**
 * `npm run job`: the workflow's schedule name is the stack's, a schedule's job runs, waits and its
 * output comes down from the datastore (Azurite), and drift.yml's verdict step (run with bash and
 * jq, as on the runner) turns the downloaded report into exit 0 / 1 / 2.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ContainerClient } from '@azure/storage-blob';
import { Testing } from 'cdktf';
import { parse } from 'yaml';
import { RETRAINING_SCHEDULE } from '../../scripts/retrain';
import { runJobCli } from '../../scripts/run-job';
import { DRIFT_REPORT_OUTPUT, DRIFT_SCHEDULE } from '../../stacks/drift-job';
import { ENVIRONMENTS } from '../../stacks/environments';
import { FraudStack } from '../../stacks/fraud-stack';
import { fixedBuildContext } from '../constructs/serving/build-context-fixture';
import { fixedJobImageContext, fixedTrainerCode } from '../constructs/jobs/fixtures';
import { fixedDriftCode } from '../constructs/monitoring/fixtures';
import { TEST_ROLLOUTS } from '../helpers/test-rollouts';
import { startAzurite, type Azurite } from '../model/registry/azurite';
import { credential, LocalArm, scheduleBody, SUB } from './run-job-local-arm';

const ROOT = path.resolve(__dirname, '../..');
interface Step {
  id?: string;
  name?: string;
  run?: string;
  env?: Record<string, string>;
}
const workflow = parse(readFileSync(path.join(ROOT, '.github/workflows/drift.yml'), 'utf8')) as {
  env: Record<string, string>;
  jobs: { drift: { steps: Step[] } };
};
const step = (id: string): Step => {
  const found = workflow.jobs.drift.steps.find((s) => s.id === id);
  if (!found) throw new Error(`drift.yml has no step '${id}'`);
  return found;
};

test('the schedules the workflows run exist under those names in the environment stack', () => {
  const stack = new FraudStack(Testing.app(), 'fraud-dev', {
    envName: 'dev',
    env: ENVIRONMENTS.dev,
    rollout: TEST_ROLLOUTS.dev,
    writeBuildContext: fixedBuildContext,
    writeTrainerCode: fixedTrainerCode,
    writeJobImageContext: fixedJobImageContext,
    writeDriftCode: fixedDriftCode,
  });
  const json = Testing.synth(stack);
  expect(json).toContain(`"name": "${RETRAINING_SCHEDULE}"`);
  expect(json).toContain(`"name": "${DRIFT_SCHEDULE}"`);
  // drift.yml runs that schedule and downloads the output the job writes its report into.
  expect(workflow.env.DRIFT_SCHEDULE).toBe(DRIFT_SCHEDULE);
  expect(step('job').run).toContain(
    'npm run --silent job -- --env "$DRIFT_ENV" --schedule "$DRIFT_SCHEDULE" --wait',
  );
  expect(step('job').run).toContain(`--output ${DRIFT_REPORT_OUTPUT} `);
});

describe('npm run job', () => {
  let azurite: Azurite;
  let dir: string;
  const container = () => new ContainerClient(`${azurite.accountUrl}/azureml-blobstore`, azurite.credential);
  beforeAll(async () => {
    azurite = await startAzurite();
    await container().create();
    for (const [name, text] of [
      ['drift-report.json', '{"drifted":true,"driftedFeatures":["amount"]}'],
      ['drift.md', '# drift'],
    ]) {
      await container()
        .getBlockBlobClient(`azureml/DRIFT/report/${name}`)
        .upload(text, Buffer.byteLength(text));
    }
  });
  afterAll(() => azurite.stop());
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'run-job-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const schedules = {
    [DRIFT_SCHEDULE]: scheduleBody(DRIFT_SCHEDULE, 'node drift.cjs --out-dir ${{outputs.report}}', {
      report: { jobOutputType: 'uri_folder', mode: 'Upload' },
    }),
  };

  test('runs the drift schedule, waits, downloads its report and writes the result', async () => {
    const arm = new LocalArm(schedules, 'Completed', { name: 'report', path: 'azureml/DRIFT/report' });
    await arm.start();
    const out: string[] = [];
    const err: string[] = [];
    try {
      const code = await runJobCli(
        [
          '--env',
          'staging',
          '--schedule',
          DRIFT_SCHEDULE,
          '--wait',
          '--download',
          path.join(dir, 'r'),
        ].concat(['--output', 'report', '--result', path.join(dir, 'job.json')]),
        (s) => out.push(s),
        (s) => err.push(s),
        // The subscription from the environment, as drift.yml passes it.
        {
          credential,
          armEndpoint: arm.url,
          pollIntervalMs: 1,
          container,
          env: { AZURE_SUBSCRIPTION_ID: SUB },
        },
      );
      expect(err.filter((l) => !l.startsWith('job: job status'))).toEqual([]);
      expect(code).toBe(0);
    } finally {
      await arm.stop();
    }
    const put = arm.requests.find((r) => r.method === 'PUT');
    expect(put?.path).toMatch(
      new RegExp(
        `^/subscriptions/${SUB}/resourceGroups/rg-fraud-staging/providers/Microsoft.MachineLearningServices/workspaces/mlw-fraud-staging/jobs/${DRIFT_SCHEDULE}-\\d{14}$`,
      ),
    );
    const props = (put?.body as { properties: { tags: Record<string, string>; status?: string } }).properties;
    expect(props.tags).toEqual({ owner: 'ml', trigger: 'npm run job', schedule: DRIFT_SCHEDULE });
    expect(props.status).toBeUndefined();
    expect(JSON.parse(readFileSync(path.join(dir, 'r', 'drift-report.json'), 'utf8'))).toMatchObject({
      drifted: true,
    });
    const result = JSON.parse(readFileSync(path.join(dir, 'job.json'), 'utf8')) as Record<string, string>;
    expect(result).toMatchObject({ status: 'Completed', downloaded: path.join(dir, 'r') });
    expect(out).toEqual([
      expect.stringMatching(/^job: job fraud-daily-drift-\d{14} Completed; 2 file\(s\) of 'report' in /),
    ]);
  });

  test('exit 1 when the job fails (nothing downloaded), 2 for a bad command line', async () => {
    const arm = new LocalArm(schedules, 'Failed', { name: 'report', path: 'azureml/DRIFT/report' });
    await arm.start();
    const deps = { credential, armEndpoint: arm.url, pollIntervalMs: 1, container, env: {} };
    const run = (args: string[]) => {
      const err: string[] = [];
      return runJobCli(
        args,
        () => {},
        (s) => err.push(s),
        deps,
      ).then((code) => ({ code, err: err.join('\n') }));
    };
    try {
      const base = ['--env', 'dev', '--subscription', SUB];
      const failed = await run([
        ...base,
        '--schedule',
        DRIFT_SCHEDULE,
        '--wait',
        '--download',
        dir,
        '--output',
        'report',
      ]);
      expect(failed.code).toBe(1);
      expect(existsSync(path.join(dir, 'drift-report.json'))).toBe(false);
      const missing = await run([...base, '--schedule', 'nope']);
      expect(missing).toEqual({
        code: 2,
        err: expect.stringMatching(/no schedule 'nope' in workspace mlw-fraud-dev/),
      });
    } finally {
      await arm.stop();
    }
    expect((await run(['--env', 'dev', '--schedule', 's'])).err).toMatch(
      /--subscription \(or AZURE_SUBSCRIPTION_ID\)/,
    );
    expect((await run(['--env', 'dev', '--subscription', SUB])).err).toMatch(/--schedule is required/);
    expect(
      (await run(['--env', 'dev', '--subscription', SUB, '--schedule', 's', '--wait', '--download', 'd']))
        .err,
    ).toMatch(/--download needs --output/);
  });
});

describe("drift.yml's verdict step", () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'drift-verdict-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs the step's script with bash in a fresh folder holding `report` (or none). */
  function verdict(jobCode: string, report?: string): Record<string, string> {
    const cwd = mkdtempSync(path.join(dir, 'run-'));
    if (report !== undefined) {
      mkdirSync(path.join(cwd, 'drift-report'));
      writeFileSync(path.join(cwd, 'drift-report', 'drift-report.json'), report);
    }
    const output = path.join(cwd, 'out.txt');
    const r = spawnSync('bash', ['-e', '-c', step('verdict').run ?? ''], {
      cwd,
      env: {
        PATH: process.env.PATH,
        JOB_CODE: jobCode,
        GITHUB_OUTPUT: output,
        GITHUB_STEP_SUMMARY: path.join(cwd, 's.md'),
      },
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    return Object.fromEntries(
      readFileSync(output, 'utf8')
        .trim()
        .split('\n')
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
  }

  test('drift -> 1 naming the features, no drift -> 0, failed job or no report -> 2', () => {
    expect(verdict('0', '{"drifted":true,"driftedFeatures":["amount","hour"]}')).toEqual({
      code: '1',
      reason: 'drift in amount, hour',
    });
    expect(verdict('0', '{"drifted":false,"driftedFeatures":[]}')).toEqual({ code: '0', reason: 'no drift' });
    expect(verdict('1').code).toBe('2'); // the job failed: no report is read
    expect(verdict('0').reason).toMatch(/without drift-report\.json/);
  });
});
