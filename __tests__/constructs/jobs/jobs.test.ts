/**
 * The jobs constructs: compute cluster, job image, code and data assets, command job, schedule.
 * GIVEN a dev FraudStack built with fixed writers (and a fixed test rollout), WHEN synthesized,
 * THEN every jobs resource has the documented shape and every azapi body passes the schema.
 */
import 'cdktf/lib/testing/adapters/jest';
import { ContainerRegistryTaskScheduleRunNow } from '@cdktf/provider-azurerm/lib/container-registry-task-schedule-run-now';
import { Testing } from 'cdktf';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CodeAsset,
  type CodeWriter,
  CommandJob,
  commandJobErrors,
  ComputeCluster,
  computeClusterErrors,
  Cron,
  cronErrors,
  DataAsset,
  dataAssetErrors,
  JobImage,
  jobExpressions,
  JobSchedule,
} from '../../../constructs/jobs';
import { ENVIRONMENTS, EnvName } from '../../../stacks/environments';
import { FraudStack, stackName } from '../../../stacks/fraud-stack';
import { validateAzapiBody, validateSynthesizedAzapi } from '../../helpers/azapi-schema';
import { testRollout } from '../../helpers/test-rollouts';
import { fixedBuildContext } from '../serving/build-context-fixture';
import { fixedJobImageContext, fixedTrainerCode } from './fixtures';

type Block = Record<string, unknown>;
interface StackJson {
  resource: Record<string, Record<string, Block>>;
}

function build(envName: EnvName = 'dev', writeTrainerCode = fixedTrainerCode) {
  const stack = new FraudStack(Testing.app(), stackName(envName), {
    envName,
    env: ENVIRONMENTS[envName],
    rollout: testRollout(envName),
    writeBuildContext: fixedBuildContext,
    writeTrainerCode,
    writeJobImageContext: fixedJobImageContext,
  });
  const json = Testing.synth(stack);
  return { stack, json, parsed: JSON.parse(json) as StackJson };
}

/** The azapi resources of one ARM type (without api-version). */
const ofType = (parsed: StackJson, armType: string): Block[] =>
  Object.values(parsed.resource.azapi_resource ?? {}).filter(
    (r) => (r.type as string).split('@')[0] === `Microsoft.MachineLearningServices/${armType}`,
  );
const props = (b: Block): Record<string, unknown> =>
  (b.body as { properties: Record<string, unknown> }).properties;

const dev = build('dev');

describe('ComputeCluster', () => {
  test('scales 0..maxNodes from the settings with an idle scale-down, as a managed identity', () => {
    const [cluster] = ofType(dev.parsed, 'workspaces/computes');
    expect(cluster).toMatchObject({
      name: 'cpu-cluster',
      location: 'westeurope',
      identity: [{ type: 'SystemAssigned' }],
      body: {
        properties: {
          computeType: 'AmlCompute',
          disableLocalAuth: true,
          properties: {
            vmSize: ENVIRONMENTS.dev.jobs.compute.vmSize,
            scaleSettings: {
              minNodeCount: 0,
              maxNodeCount: ENVIRONMENTS.dev.jobs.compute.maxNodes,
              nodeIdleTimeBeforeScaleDown: 'PT600S',
            },
          },
        },
      },
    });
  });

  test('one error lists every bad input', () => {
    expect(
      computeClusterErrors({ name: 'cluster-1', vmSize: 'DS3', maxNodes: 0, idleMinutesBeforeScaleDown: 0 }),
    ).toHaveLength(4);
    expect(
      () =>
        new ComputeCluster(dev.stack, 'BadCluster', {
          workspace: dev.stack.platform.workspace,
          vmSize: 'DS3',
          maxNodes: 101,
        }),
    ).toThrow(/2 problem\(s\)[\s\S]*vmSize = "DS3"[\s\S]*maxNodes = 101: must be an integer from 1 to 100/);
  });
});

describe('JobImage', () => {
  test('built by a registry task whose run the environment version waits for; version = context hash', () => {
    const image = dev.stack.jobs.image;
    expect(image.version).toMatch(/^[0-9a-f]{32}$/);
    expect(dev.json).toHaveResourceWithProperties(ContainerRegistryTaskScheduleRunNow, {});
    const [version] = ofType(dev.parsed, 'workspaces/environments/versions').filter(
      (v) => v.name === image.version,
    );
    expect(props(version!).image).toContain(`fraud-jobs:${image.version}`);
    expect(props(version!).inferenceConfig).toBeUndefined();
    expect((version!.depends_on as string[]).join()).toContain('container_registry_task_schedule_run_now');
  });

  test('a context without a Dockerfile fails synth', () => {
    expect(
      () =>
        new JobImage(dev.stack, 'NoDockerfile', {
          workspace: dev.stack.platform.workspace,
          storage: dev.stack.platform.storage,
          containerRegistry: dev.stack.platform.containerRegistry,
          writeBuildContext: ({ outDir }) => {
            writeFileSync(path.join(outDir, 'x.txt'), 'x');
            return { files: ['x.txt'] };
          },
        }),
    ).toThrow(/has no Dockerfile/);
  });
});

describe('CodeAsset', () => {
  test('its version is the content hash: other code, other version; same code, same version', () => {
    const other = build('dev', ({ outDir }) => {
      writeFileSync(path.join(outDir, 'train.cjs'), "console.log('another trainer');\n");
      return { files: ['train.cjs'] };
    });
    const again = build('dev');
    expect(other.stack.jobs.trainerCode.version).not.toBe(dev.stack.jobs.trainerCode.version);
    expect(again.stack.jobs.trainerCode.version).toBe(dev.stack.jobs.trainerCode.version);
    const [version] = ofType(dev.parsed, 'workspaces/codes/versions');
    expect(version!.name).toBe(dev.stack.jobs.trainerCode.version);
    expect(props(version!).codeUri).toMatch(
      new RegExp(`/fraud-trainer/${dev.stack.jobs.trainerCode.version}/$`),
    );
  });

  test("a writer's asset hash is used for a folder of exactly its files; otherwise cdktf hashes it", () => {
    const writeCode: CodeWriter = ({ outDir }) => {
      writeFileSync(path.join(outDir, 'train.cjs'), "console.log('trainer');\n");
      return { files: ['train.cjs'], assetHash: 'A'.repeat(32) };
    };
    const common = {
      workspace: dev.stack.platform.workspace,
      storage: dev.stack.platform.storage,
      name: 'x',
    };
    expect(new CodeAsset(dev.stack, 'WriterHash', { ...common, writeCode }).version).toBe('a'.repeat(32));
    // A caller's staging folder with a file the writer did not write: the writer's hash does not hold.
    const staging = mkdtempSync(path.join(os.tmpdir(), 'code-asset-staging-'));
    try {
      mkdirSync(path.join(staging, 'code'));
      writeFileSync(path.join(staging, 'code', 'stale.js'), 'old\n');
      const mixed = new CodeAsset(dev.stack, 'MixedHash', { ...common, writeCode, stagingDir: staging });
      expect(mixed.version).toMatch(/^[0-9a-f]{32}$/);
      expect(mixed.version).not.toBe('a'.repeat(32));
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  });

  test('the command entry file must be written', () => {
    expect(
      () =>
        new CodeAsset(dev.stack, 'NoEntry', {
          workspace: dev.stack.platform.workspace,
          storage: dev.stack.platform.storage,
          name: 'x',
          requiredFiles: ['train.cjs'],
          writeCode: ({ outDir }) => {
            writeFileSync(path.join(outDir, 'other.js'), '');
            return { files: ['other.js'] };
          },
        }),
    ).toThrow(/required file 'train.cjs' was not written/);
  });
});

describe('DataAsset', () => {
  test('a uri_file version on the training datastore; the job reads the short datastore URI', () => {
    const [version] = ofType(dev.parsed, 'workspaces/data/versions');
    expect(version).toMatchObject({ name: '1', body: { properties: { dataType: 'uri_file' } } });
    expect(props(version!).dataUri).toMatch(
      /^azureml:\/\/subscriptions\/.+\/workspaces\/.+\/datastores\/fraudtraining\/paths\/transactions\/1\/transactions\.csv$/,
    );
    expect(dev.stack.jobs.trainingData.datastoreUri).toBe(
      'azureml://datastores/fraudtraining/paths/transactions/1/transactions.csv',
    );
    const [datastore] = ofType(dev.parsed, 'workspaces/datastores').filter((d) => d.name === 'fraudtraining');
    expect(props(datastore!)).toMatchObject({ credentials: { credentialsType: 'None' } });
    expect(props(datastore!).containerName).toContain(
      'azurerm_storage_container.Jobs_TrainingData_Container',
    );
    expect(dev.stack.jobs.trainingData.containerName).toBe('training-data');
  });

  test('bad inputs are listed together', () => {
    expect(dataAssetErrors({ name: '-x', version: '', path: '../a.csv' })).toHaveLength(3);
    expect(dataAssetErrors({ name: 'x', version: '1', path: 'folder/' })).toEqual([
      "path 'folder/' names a folder but dataType is 'uri_file'",
    ]);
    expect(
      () =>
        new DataAsset(dev.stack, 'BadData', {
          workspace: dev.stack.platform.workspace,
          storage: dev.stack.platform.storage,
          subscriptionId: 's',
          name: 'x',
          version: 'v 1',
          path: 'a.csv',
        }),
    ).toThrow(/version 'v 1' must match/);
  });
});

describe('CommandJob', () => {
  test('job expressions survive synth: emitted as $${{...}}, which Terraform reads back literally', () => {
    const [schedule] = ofType(dev.parsed, 'workspaces/schedules');
    const job = (props(schedule!).action as { jobDefinition: { command: string } }).jobDefinition;
    expect(job.command).toBe(dev.stack.jobs.trainingJob.command.replace(/\$\{\{/g, () => '$${{'));
    expect(job.command).not.toMatch(/(^|[^$])\$\{\{/);
  });

  test('every ${{inputs.x}} / ${{outputs.y}} must be declared, and problems are listed together', () => {
    expect(jobExpressions('a ${{inputs.x}} b ${{ outputs.y }}')).toEqual(['inputs.x', 'outputs.y']);
    const errors = commandJobErrors({
      experimentName: 'bad name',
      displayName: 'x',
      command: 'node a.js ${{inputs.missing}} ${{outputs.gone}} ${{secrets.k}}',
      inputs: { present: { jobInputType: 'literal', value: 'v' } },
      timeout: '2 hours',
      instanceCount: 3,
      maxNodes: 2,
    });
    expect(errors).toEqual([
      expect.stringMatching(/^experimentName 'bad name'/),
      expect.stringMatching(
        /uses \$\{\{inputs.missing\}\} but no such input is declared \(inputs: present\)/,
      ),
      expect.stringMatching(/uses \$\{\{outputs.gone\}\} but no such output is declared \(outputs: none\)/),
      expect.stringMatching(/expression '\$\{\{secrets.k\}\}' must be/),
      expect.stringMatching(/^timeout '2 hours'/),
      expect.stringMatching(/instanceCount 3 is above the cluster's maxNodes 2/),
    ]);
    expect(
      () =>
        new CommandJob(dev.stack, 'BadJob', {
          experimentName: 'e',
          displayName: 'd',
          command: 'node x ${{inputs.nope}}',
          environmentId: 'env',
          compute: dev.stack.jobs.cluster,
        }),
    ).toThrow(/CommandJob '.*BadJob' \(1 problem\(s\)\)/);
  });

  test('Terraform itself turns the synthesized command back into the ${{...}} text (skipped without terraform)', () => {
    let terraform: string | undefined;
    try {
      terraform =
        execFileSync('sh', ['-c', 'command -v terraform'], { encoding: 'utf8' }).trim() || undefined;
    } catch {
      terraform = undefined;
    }
    if (!terraform) return; // CI images without terraform: the escaping test above still runs
    const [schedule] = ofType(dev.parsed, 'workspaces/schedules');
    const synthesized = (props(schedule!).action as { jobDefinition: { command: string } }).jobDefinition
      .command;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tf-raw-'));
    try {
      writeFileSync(
        path.join(dir, 'main.tf.json'),
        JSON.stringify({ output: { command: { value: synthesized } } }),
      );
      // An apply with only an output needs no provider and no network; the output is the string
      // Terraform hands to a provider.
      const run = (...args: string[]): string =>
        execFileSync(terraform!, args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      run('init', '-input=false', '-no-color');
      run('apply', '-auto-approve', '-input=false', '-no-color');
      const out = run('output', '-json', 'command');
      expect(JSON.parse(out) as string).toBe(dev.stack.jobs.trainingJob.command);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('JobSchedule', () => {
  test('weekly Monday 05:00 UTC creating the training job; enabled in dev, off in prod by default', () => {
    expect(Cron.weekly('Monday', 5)).toEqual({ expression: '0 5 * * 1', timeZone: 'UTC' });
    expect(Cron.daily(6)).toEqual({ expression: '0 6 * * *', timeZone: 'UTC' });
    const [schedule] = ofType(dev.parsed, 'workspaces/schedules');
    expect(props(schedule!)).toMatchObject({
      isEnabled: true,
      trigger: { triggerType: 'Cron', expression: '0 5 * * 1', timeZone: 'UTC' },
      action: {
        actionType: 'CreateJob',
        jobDefinition: {
          jobType: 'Command',
          codeId: expect.stringContaining('azapi_resource.Jobs_TrainerCode_Version'),
          environmentId: expect.stringContaining('azapi_resource.Jobs_Image_EnvironmentVersion'),
          computeId: expect.stringContaining('azapi_resource.Jobs_Cluster'),
          identity: { identityType: 'Managed' },
          outputs: {
            model: { jobOutputType: 'custom_model', assetName: 'fraud-detection-model-candidates' },
          },
        },
      },
    });
    const prod = build('prod');
    expect(props(ofType(prod.parsed, 'workspaces/schedules')[0]!).isEnabled).toBe(false);
    expect(prod.stack.jobs.retrainingSchedule.isEnabled).toBe(false);
  });

  test('bad cron expressions are refused with the field and range', () => {
    expect(cronErrors({ expression: '0 5 * *' })).toEqual([expect.stringMatching(/must have 5 fields/)]);
    expect(cronErrors({ expression: '60 24 * * 7' })).toEqual([
      expect.stringMatching(/minute 60 is outside 0..59/),
      expect.stringMatching(/hour 24 is outside 0..23/),
      expect.stringMatching(/day of week 7 is outside 0..6/),
    ]);
    expect(cronErrors({ expression: '*/15 1-5 * * 1,3' })).toEqual([]);
    expect(
      () =>
        new JobSchedule(dev.stack, 'BadSchedule', {
          workspace: dev.stack.platform.workspace,
          name: 'bad name',
          job: dev.stack.jobs.trainingJob,
          trigger: { expression: 'weekly' },
        }),
    ).toThrow(/2 problem\(s\)[\s\S]*name 'bad name'[\s\S]*must have 5 fields/);
  });
});

describe('schema', () => {
  test('every azapi body of the stack, jobs included, passes the 2026-05-01 schema', () => {
    expect(validateSynthesizedAzapi(dev.json)).toEqual([]);
    // The check is not vacuous: a job definition with a wrong discriminator fails it.
    const [schedule] = ofType(dev.parsed, 'workspaces/schedules');
    const broken = JSON.parse(JSON.stringify(schedule)) as Block;
    (props(broken).action as { jobDefinition: { jobType: string } }).jobDefinition.jobType = 'command';
    expect(
      validateAzapiBody(broken.type as string, { name: broken.name, ...(broken.body as Block) }),
    ).toEqual([expect.stringMatching(/jobType: 'command' is not one of/)]);
  });
});
