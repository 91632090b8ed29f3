import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TokenCredential } from '@azure/identity';
import { ContainerClient } from '@azure/storage-blob';
import { Testing } from 'cdktf';
import { ENVIRONMENTS } from '../../stacks/environments';
import { FraudStack } from '../../stacks/fraud-stack';
import {
  jobBodyFromSchedule,
  parseDatastoreUri,
  RETRAINING_SCHEDULE,
  runRetrainCli,
} from '../../scripts/retrain';
import { fixedBuildContext } from '../constructs/serving/build-context-fixture';
import { testRollout } from '../helpers/test-rollouts';
import { startAzurite, type Azurite } from '../model/registry/azurite';

const SUB = '00000000-0000-0000-0000-000000000001';
const credential: TokenCredential = {
  getToken: async () => ({ token: 'local-test-token', expiresOnTimestamp: Date.now() + 3600_000 }),
};

/** The schedule as Azure ML returns it (Schedules - Get, 2026-05-01), trimmed to what matters. */
const SCHEDULE = {
  name: RETRAINING_SCHEDULE,
  properties: {
    isEnabled: true,
    trigger: { triggerType: 'Cron', expression: '0 5 * * 1', timeZone: 'UTC' },
    action: {
      actionType: 'CreateJob',
      jobDefinition: {
        jobType: 'Command',
        command: 'node train.cjs --data ${{inputs.training_data}} --out ${{outputs.model}}',
        environmentId: '/subscriptions/x/.../environments/fraud-job/versions/abc',
        computeId: '/subscriptions/x/.../computes/cpu-cluster',
        inputs: { training_data: { jobInputType: 'uri_file', uri: 'azureml:fraud-transactions:1' } },
        outputs: { model: { jobOutputType: 'custom_model', assetName: 'fraud-detection-model-candidates' } },
        status: 'NotStarted',
        tags: { owner: 'ml' },
      },
    },
  },
};

/** A local stand-in for the ARM endpoints `npm run retrain` calls. */
class LocalArm {
  readonly requests: { method: string; path: string; body?: unknown }[] = [];
  private server?: http.Server;
  private polls = 0;
  url = '';
  constructor(private readonly finalStatus: string) {}
  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        const p = new URL(req.url ?? '/', 'http://x').pathname;
        const body = raw ? (JSON.parse(raw) as unknown) : undefined;
        this.requests.push({ method: req.method ?? '', path: p, body });
        const send = (status: number, json: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(json));
        };
        if (req.headers.authorization !== 'Bearer local-test-token')
          return send(401, { error: { code: 'AuthenticationFailed' } });
        if (p.endsWith(`/schedules/${RETRAINING_SCHEDULE}`)) return send(200, SCHEDULE);
        const job = /\/jobs\/([^/]+)$/.exec(p);
        if (job && req.method === 'PUT') return send(201, { name: job[1], ...(body as object) });
        if (job && req.method === 'GET') {
          this.polls++;
          const status = this.polls < 2 ? 'Running' : this.finalStatus;
          // Where the service says the output went; the test's blobs sit there.
          const uri = 'azureml://datastores/workspaceblobstore/paths/azureml/JOB/model/';
          return send(200, {
            name: job[1],
            properties: { status, outputs: { model: { jobOutputType: 'custom_model', uri } } },
          });
        }
        if (p.endsWith('/datastores/workspaceblobstore')) {
          return send(200, {
            properties: {
              datastoreType: 'AzureBlob',
              accountName: 'devstoreaccount1',
              containerName: 'azureml-blobstore',
              endpoint: 'core.windows.net',
            },
          });
        }
        send(404, { error: { code: 'NotFound', message: p } });
      });
    });
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }
  stop(): Promise<void> {
    return new Promise((r) => this.server?.close(() => r()));
  }
}

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

  test('the retraining schedule the script runs exists under that name in the environment stack', () => {
    const stack = new FraudStack(Testing.app(), 'fraud-dev', {
      envName: 'dev',
      env: ENVIRONMENTS.dev,
      writeBuildContext: fixedBuildContext,
      rollout: testRollout('dev'),
    });
    expect(Testing.synth(stack)).toContain(`"name": "${RETRAINING_SCHEDULE}"`);
  });

  test("a new job is the schedule's job definition, without the read-only fields", () => {
    const body = jobBodyFromSchedule(SCHEDULE, RETRAINING_SCHEDULE, 'run-1');
    const props = body.properties as Record<string, unknown>;
    expect(props.status).toBeUndefined();
    expect(props.command).toBe(SCHEDULE.properties.action.jobDefinition.command);
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
    const arm = new LocalArm('Completed');
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
    const arm = new LocalArm('Failed');
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
