/**
 * `npm run job -- --env <env> --subscription <id> --schedule <name> [--wait]
 *   [--download <dir> --output <name>] [--result <file>]`
 *
 * Runs one of an environment's Azure ML schedules now, the way the schedule would: it reads the
 * job definition Terraform put into the schedule (`action.jobDefinition`), submits it as a new
 * job, and with `--wait` polls it until it ends. With `--download` it copies one named output of
 * the completed job from the workspace datastore. Used by .github/workflows/drift.yml (the daily
 * drift job, `DRIFT_SCHEDULE` of stacks/drift-job.ts) and, through the `npm run retrain` preset (scripts/retrain.ts),
 * by retrain.yml. Credentials come from `DefaultAzureCredential` (the workflow's OIDC login),
 * nothing from the command line; the subscription may also come from AZURE_SUBSCRIPTION_ID.
 *
 * Azure ML REST (api-version {@link ML_API_VERSION}, schemas/azure-api): Schedules - Get,
 * Jobs - Create Or Update (`PUT .../workspaces/{ws}/jobs/{id}`, a JobBase with the same
 * `properties` as a schedule's `jobDefinition`), Jobs - Get (`properties.status`,
 * `properties.outputs.<name>.uri`), Datastores - Get (`properties.accountName`, `containerName`,
 * `endpoint`). Exit codes: 0 the job completed (or was submitted without --wait), 1 it failed or
 * was canceled, 2 usage or service error.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { ContainerClient } from '@azure/storage-blob';
import { platformNames } from '../constructs/core/naming';
import { ArmClient } from '../model/registry/arm-client';
import { ML_API_VERSION } from '../model/registry/registry-api';
import { ENVIRONMENTS, type EnvironmentConfig, type EnvName } from '../stacks/environments';

/** Job statuses after which nothing changes (Azure ML JobStatus enum). */
const TERMINAL = new Set(['Completed', 'Failed', 'Canceled', 'NotResponding', 'Paused']);
/** JobBase properties the service sets itself; a new job must not send them. */
const READ_ONLY = ['status', 'services', 'parentJobName', 'creationContext', 'provisioningState'];

export interface JobTarget {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly workspace: string;
}

/** The workspace of an environment, by the deterministic names synth uses. */
export function jobTarget(env: EnvName, subscriptionId: string): JobTarget {
  const cfg: EnvironmentConfig = ENVIRONMENTS[env];
  const names = platformNames({ project: cfg.namePrefix, env, salt: cfg.salt });
  return { subscriptionId, resourceGroup: names.resourceGroup, workspace: names.workspace };
}

export interface RunScheduleJobOptions {
  readonly target: JobTarget;
  readonly arm: ArmClient;
  readonly schedule: string;
  /** The new job's name. @default `<schedule>-<UTC timestamp>` */
  readonly jobName?: string;
  /** The `trigger` tag of the new job. @default 'npm run job' */
  readonly trigger?: string;
  /** Poll until the job ends. @default false */
  readonly wait?: boolean;
  /** The output whose URI the result reports. @default - none */
  readonly output?: string;
  /** @default 30000 */
  readonly pollIntervalMs?: number;
  /** @default 4 hours */
  readonly timeoutMs?: number;
  /** Status lines while waiting. @default - none */
  readonly onStatus?: (status: string) => void;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface JobRunResult {
  readonly job: string;
  /** The job's final status, or 'Submitted' without `wait`. */
  readonly status: string;
  /** The requested output's URI, when the service reports one. */
  readonly outputUri?: string;
}

export const workspacePath = (t: JobTarget): string =>
  `/subscriptions/${t.subscriptionId}/resourceGroups/${t.resourceGroup}/providers/Microsoft.MachineLearningServices/workspaces/${t.workspace}`;

function record(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new Error(`${what} is not a JSON object`);
  return v as Record<string, unknown>;
}

/** The job definition of a schedule's CreateJob action, as the body of a new job. */
export function scheduleJobBody(
  schedule: unknown,
  scheduleName: string,
  jobName: string,
  trigger = 'npm run job',
): Record<string, unknown> {
  const props = record(
    record(schedule, `schedule '${scheduleName}'`).properties,
    `schedule '${scheduleName}'.properties`,
  );
  const action = record(props.action, `schedule '${scheduleName}'.properties.action`);
  if (action.actionType !== 'CreateJob') {
    throw new Error(
      `schedule '${scheduleName}' runs a ${String(action.actionType)} action, not a job (CreateJob)`,
    );
  }
  const definition = { ...record(action.jobDefinition, `schedule '${scheduleName}' jobDefinition`) };
  for (const key of READ_ONLY) delete definition[key];
  const tags = definition.tags ? record(definition.tags, 'jobDefinition.tags') : {};
  return {
    properties: { ...definition, tags: { ...tags, trigger, schedule: scheduleName } },
    name: jobName,
  };
}

/** Submits the schedule's job now; with `wait`, polls it to the end. */
export async function runScheduleJob(options: RunScheduleJobOptions): Promise<JobRunResult> {
  const { schedule } = options;
  const ws = workspacePath(options.target);
  const def = await options.arm.getOrUndefined(
    options.arm.url(`${ws}/schedules/${schedule}`, ML_API_VERSION),
  );
  if (def === undefined) {
    throw new Error(
      `no schedule '${schedule}' in workspace ${options.target.workspace}: deploy the environment first (npm run synth, then terraform apply)`,
    );
  }
  const job = options.jobName ?? `${schedule}-${new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14)}`;
  const body = scheduleJobBody(def, schedule, job, options.trigger);
  const jobUrl = options.arm.url(`${ws}/jobs/${job}`, ML_API_VERSION);
  await options.arm.putAndWait(jobUrl, { properties: body.properties });
  if (!options.wait) return { job, status: 'Submitted' };
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = Date.now() + (options.timeoutMs ?? 4 * 3600_000);
  let last = '';
  for (;;) {
    const current = record(await options.arm.get(jobUrl), `job '${job}'`);
    const props = record(current.properties, `job '${job}'.properties`);
    const status = String(props.status ?? 'Unknown');
    if (status !== last) options.onStatus?.(status);
    last = status;
    if (TERMINAL.has(status)) {
      const outputs = props.outputs ? record(props.outputs, 'outputs') : {};
      const out =
        options.output && outputs[options.output]
          ? record(outputs[options.output], `outputs.${options.output}`)
          : {};
      return { job, status, ...(typeof out.uri === 'string' ? { outputUri: out.uri } : {}) };
    }
    if (Date.now() > deadline)
      throw new Error(`job '${job}' still '${status}' after the timeout; it keeps running in Azure`);
    await sleep(options.pollIntervalMs ?? 30_000);
  }
}

/** `azureml://datastores/<name>/paths/<path>` (the documented datastore URI form). */
export function parseDatastoreUri(uri: string): { datastore: string; path: string } {
  const m =
    /^azureml:\/\/(?:subscriptions\/[^/]+\/resourcegroups\/[^/]+\/workspaces\/[^/]+\/)?datastores\/([^/]+)\/paths\/(.+)$/i.exec(
      uri,
    );
  if (!m) throw new Error(`cannot download '${uri}': expected azureml://datastores/<name>/paths/<path>`);
  return { datastore: m[1], path: m[2].replace(/\/+$/, '') };
}

export interface DownloadOptions {
  readonly target: JobTarget;
  readonly arm: ArmClient;
  readonly uri: string;
  readonly dir: string;
  /** Opens a container of the datastore's storage account. */
  readonly container: (containerUrl: string) => ContainerClient;
}

/** Copies every blob under a datastore path into `dir` (keeping the layout); returns their paths. */
export async function downloadOutput(options: DownloadOptions): Promise<string[]> {
  const { datastore, path: prefix } = parseDatastoreUri(options.uri);
  const ds = record(
    await options.arm.get(
      options.arm.url(`${workspacePath(options.target)}/datastores/${datastore}`, ML_API_VERSION),
    ),
    `datastore '${datastore}'`,
  );
  const props = record(ds.properties, `datastore '${datastore}'.properties`);
  if (props.datastoreType !== 'AzureBlob')
    throw new Error(`datastore '${datastore}' is ${String(props.datastoreType)}, not AzureBlob`);
  const url = `https://${String(props.accountName)}.blob.${String(props.endpoint ?? 'core.windows.net')}/${String(props.containerName)}`;
  const container = options.container(url);
  const files: string[] = [];
  for await (const blob of container.listBlobsFlat({ prefix: `${prefix}/` })) {
    const rel = blob.name.slice(prefix.length + 1);
    if (rel === '' || rel.split('/').some((p) => p === '..' || p === '')) continue; // never write outside dir
    const file = path.join(options.dir, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    await container.getBlobClient(blob.name).downloadToFile(file);
    files.push(file);
  }
  if (files.length === 0) throw new Error(`nothing under ${options.uri}`);
  return files;
}

// ---------------------------------------------------------------------------------------------
// CLI

/** A named use of the CLI with fixed defaults (`npm run retrain` is one). */
export interface JobCliPreset {
  /** Prefix of messages and the job's `trigger` tag (`npm run <name>`). */
  readonly name: string;
  readonly usage: string;
  /** The schedule when `--schedule` is not given. @default - `--schedule` is required */
  readonly schedule?: string;
  /** The output `--download` copies when `--output` is not given. @default - `--output` is required */
  readonly output?: string;
  /** Checks the downloaded files; its fields join the result, its note the summary line. */
  readonly inspect?: (
    files: readonly string[],
    uri: string,
  ) => { fields: Record<string, string>; note: string };
}

export const JOB_PRESET: JobCliPreset = {
  name: 'job',
  usage:
    'usage: npm run job -- --env <env> [--subscription <id>] --schedule <name> [--wait] [--download <dir> --output <name>] [--result <file>]',
};

export interface JobCliDeps {
  readonly credential?: TokenCredential;
  readonly armEndpoint?: string;
  readonly container?: (containerUrl: string) => ContainerClient;
  readonly pollIntervalMs?: number;
  /** @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export async function runJobCli(
  argv: readonly string[],
  out: (s: string) => void,
  err: (s: string) => void,
  deps: JobCliDeps = {},
  preset: JobCliPreset = JOB_PRESET,
): Promise<number> {
  const fail = (message: string): number => {
    err(`${preset.name}: ${message}\n${preset.usage}`);
    return 2;
  };
  let values;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        env: { type: 'string' },
        subscription: { type: 'string' },
        schedule: { type: 'string' },
        wait: { type: 'boolean' },
        download: { type: 'string' },
        output: { type: 'string' },
        result: { type: 'string' },
      },
    }).values;
  } catch (e) {
    return fail((e as Error).message);
  }
  const envs = Object.keys(ENVIRONMENTS);
  if (!values.env || !envs.includes(values.env))
    return fail(`--env must be one of ${envs.join(', ')}, got ${JSON.stringify(values.env ?? null)}`);
  const subscription = values.subscription ?? (deps.env ?? process.env).AZURE_SUBSCRIPTION_ID;
  if (!subscription || !/^[0-9a-f-]{36}$/i.test(subscription))
    return fail(
      `--subscription (or AZURE_SUBSCRIPTION_ID) must be a subscription id (GUID), got ${JSON.stringify(subscription ?? null)}`,
    );
  const schedule = values.schedule ?? preset.schedule;
  if (!schedule) return fail('--schedule is required (the schedule whose job runs)');
  const output = values.output ?? preset.output;
  if (values.download && !values.wait)
    return fail('--download needs --wait (the output exists only once the job completed)');
  if (values.download && !output) return fail('--download needs --output (the job output to copy)');
  const target = jobTarget(values.env as EnvName, subscription);
  const credential = deps.credential ?? new DefaultAzureCredential();
  const arm = new ArmClient({ credential, endpoint: deps.armEndpoint });
  try {
    const result = await runScheduleJob({
      target,
      arm,
      schedule,
      trigger: `npm run ${preset.name}`,
      wait: values.wait,
      output,
      pollIntervalMs: deps.pollIntervalMs,
      onStatus: (s) => err(`${preset.name}: job status ${s}`),
    });
    let extra: { fields: Record<string, string>; note: string } | undefined;
    if (values.download && result.status === 'Completed') {
      if (!result.outputUri)
        throw new Error(`job '${result.job}' completed without a '${output}' output URI`);
      const files = await downloadOutput({
        target,
        arm,
        uri: result.outputUri,
        dir: values.download,
        container: deps.container ?? ((url) => new ContainerClient(url, credential)),
      });
      extra = preset.inspect?.(files, result.outputUri) ?? {
        fields: { downloaded: path.resolve(values.download) },
        note: `${files.length} file(s) of '${output}' in ${values.download}`,
      };
    }
    const summary = { ...result, ...extra?.fields };
    if (values.result) writeFileSync(values.result, `${JSON.stringify(summary, null, 2)}\n`);
    out(`${preset.name}: job ${result.job} ${result.status}${extra ? `; ${extra.note}` : ''}`);
    return result.status === 'Completed' || result.status === 'Submitted' ? 0 : 1;
  } catch (e) {
    err(`${preset.name}: ${(e as Error).message}`);
    return 2;
  }
}

if (require.main === module) {
  void runJobCli(
    process.argv.slice(2),
    (s) => console.log(s),
    (s) => console.error(s),
  ).then((code) => {
    process.exitCode = code;
  });
}
