import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ContainerClient } from '@azure/storage-blob';
import {
  jobBodyFromSchedule,
  parseDatastoreUri,
  RETRAINING_SCHEDULE,
  runRetrainCli,
} from '../../scripts/retrain';
import { startAzurite, type Azurite } from '../model/registry/azurite';
import { credential, LocalArm, scheduleBody, SUB } from './run-job-local-arm';

/** The schedule as Azure ML returns it (Schedules - Get, 2026-05-01), trimmed to what matters. */
const SCHEDULE = scheduleBody(
  RETRAINING_SCHEDULE,
  'node train.cjs --data ${{inputs.training_data}} --out ${{outputs.model}}',
  { model: { jobOutputType: 'custom_model', assetName: 'fraud-detection-model-candidates' } },
);
// Where the service says the output went; the test's blobs sit there.
const localArm = (finalStatus: string) =>
  new LocalArm({ [RETRAINING_SCHEDULE]: SCHEDULE }, finalStatus, {
    name: 'model',
    path: 'azureml/JOB/model',
  });

describe('npm run retrain', () => {
  let azurite: Azurite;
  let dir: string;
  beforeAll(async () => {
    azurite = await startAzurite();
    const container = new ContainerClient(`${azurite.accountUrl}/azureml-blobstore`, azurite.credential);
    await container.create();
    for (const [name, text] of [
      ['model.json', '{"name":"fraud-detection-model","version":"7"}'],
      ['model.onnx', 'onnx-bytes'],
      ['report.md', '# report'],
    ]) {
      // The custom_model output keeps the trainer's <name>/<version>/ layout.
      await container
        .getBlockBlobClient(`azureml/JOB/model/fraud-detection-model/7/${name}`)
        .upload(text, Buffer.byteLength(text));
    }
  });
  afterAll(() => azurite.stop());
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'retrain-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test("a new job is the schedule's job definition, without the read-only fields", () => {
    const body = jobBodyFromSchedule(SCHEDULE, RETRAINING_SCHEDULE, 'run-1');
    const props = body.properties as Record<string, unknown>;
    expect(props.status).toBeUndefined();
    expect(props.command).toMatch(/^node train\.cjs /);
    expect(props.tags).toEqual({ owner: 'ml', trigger: 'npm run retrain', schedule: RETRAINING_SCHEDULE });
    expect(() =>
      jobBodyFromSchedule({ properties: { action: { actionType: 'InvokeBatchEndpoint' } } }, 's', 'j'),
    ).toThrow(/runs a InvokeBatchEndpoint action, not a job/);
  });

  test('parses datastore URIs and refuses others', () => {
    expect(parseDatastoreUri('azureml://datastores/workspaceblobstore/paths/azureml/j/model/')).toEqual({
      datastore: 'workspaceblobstore',
      path: 'azureml/j/model',
    });
    expect(() => parseDatastoreUri('https://x/y')).toThrow(/expected azureml:\/\/datastores/);
  });

  test('submits, waits, downloads the package from the datastore (Azurite) and writes the result', async () => {
    const arm = localArm('Completed');
    await arm.start();
    try {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runRetrainCli(
        [
          '--env',
          'dev',
          '--subscription',
          SUB,
          '--wait',
          '--download',
          dir,
          '--result',
          path.join(dir, 'r.json'),
          '--schedule',
          RETRAINING_SCHEDULE,
        ],
        (s) => out.push(s),
        (s) => err.push(s),
        {
          credential,
          armEndpoint: arm.url,
          pollIntervalMs: 1,
          // The datastore's storage account is Azurite.
          container: () => new ContainerClient(`${azurite.accountUrl}/azureml-blobstore`, azurite.credential),
        },
      );
      expect(err.filter((l) => !l.startsWith('retrain: job status'))).toEqual([]);
      expect(code).toBe(0);
      const put = arm.requests.find((r) => r.method === 'PUT');
      expect(put?.path).toMatch(/\/workspaces\/mlw-fraud-dev\/jobs\/fraud-weekly-retraining-\d{14}$/);
      const result = JSON.parse(readFileSync(path.join(dir, 'r.json'), 'utf8')) as Record<string, string>;
      expect(result.status).toBe('Completed');
      expect(readFileSync(path.join(result.packageDir, 'model.json'), 'utf8')).toContain('"version":"7"');
      expect(out[0]).toMatch(/^retrain: job fraud-weekly-retraining-\d+ Completed; package in /);
    } finally {
      await arm.stop();
    }
  });

  test('exit 1 when the job fails, 2 for a bad command line', async () => {
    const arm = localArm('Failed');
    await arm.start();
    try {
      const args = ['--env', 'dev', '--subscription', SUB, '--wait'];
      expect(
        await runRetrainCli(
          args,
          () => {},
          () => {},
          { credential, armEndpoint: arm.url, pollIntervalMs: 1 },
        ),
      ).toBe(1);
    } finally {
      await arm.stop();
    }
    expect(
      await runRetrainCli(
        ['--env', 'qa', '--subscription', SUB],
        () => {},
        () => {},
        { credential },
      ),
    ).toBe(2);
    expect(
      await runRetrainCli(
        ['--env', 'dev', '--subscription', 'x'],
        () => {},
        () => {},
        { credential },
      ),
    ).toBe(2);
    expect(
      await runRetrainCli(
        ['--env', 'dev', '--subscription', SUB, '--download', 'd'],
        () => {},
        () => {},
        { credential },
      ),
    ).toBe(2);
  });
});
