/**
 * `npm run retrain -- --env <env> --subscription <id> [--wait] [--download <dir>] [--result <file>]`
 *
 * Runs the weekly retraining now, the way the schedule would: it reads the job definition that
 * Terraform put into the environment's retraining schedule (`action.jobDefinition` of
 * {@link RETRAINING_SCHEDULE}), submits it as a new job, and with `--wait` polls it until it ends.
 * With `--download` it copies the model package the job wrote (its `model` output) from the
 * workspace datastore, so `npm run register` can register it in the shared registry. Used by
 * .github/workflows/retrain.yml; credentials come from `DefaultAzureCredential` (the workflow's
 * OIDC login), nothing from the command line.
 *
 * Azure ML REST (api-version {@link ML_API_VERSION}, schemas/azure-api): Schedules - Get,
 * Jobs - Create Or Update (`PUT .../workspaces/{ws}/jobs/{id}`, a JobBase with the same
 * `properties` as a schedule's `jobDefinition`), Jobs - Get (`properties.status`), Datastores - Get
 * (`properties.accountName`, `containerName`, `endpoint`). Exit codes: 0 job completed (or
 * submitted without --wait), 1 the job failed or was canceled, 2 usage or service error.
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

/** The retraining schedule's name in every environment (stacks/jobs.ts; checked by a synth test). */
export const RETRAINING_SCHEDULE = 'fraud-weekly-retraining';
/** The job output that holds the model package (model/jobs TRAINING_JOB_IO). */
export const MODEL_OUTPUT = 'model';

/** Job statuses after which nothing changes (Azure ML JobStatus enum). */
const TERMINAL = new Set(['Completed', 'Failed', 'Canceled', 'NotResponding', 'Paused']);
/** JobBase properties the service sets itself; a new job must not send them. */
const READ_ONLY = ['status', 'services', 'parentJobName', 'creationContext', 'provisioningState'];

export interface RetrainTarget {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly workspace: string;
}

export interface RetrainOptions {
  readonly target: RetrainTarget;
  readonly arm: ArmClient;
  /** @default RETRAINING_SCHEDULE */
  readonly schedule?: string;
  /** The new job's name. @default `<schedule>-<UTC timestamp>` */
  readonly jobName?: string;
  /** Poll until the job ends. @default false */
  readonly wait?: boolean;
  /** @default 30000 */
  readonly pollIntervalMs?: number;
  /** @default 4 hours */
  readonly timeoutMs?: number;
  /** Status lines while waiting. @default - none */
  readonly onStatus?: (status: string) => void;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface RetrainResult {
  readonly job: string;
  readonly status: string;
  /** The `model` output's URI, when the service reports one. */
  readonly modelOutputUri?: string;
}

const workspacePath = (t: RetrainTarget) =>
  `/subscriptions/${t.subscriptionId}/resourceGroups/${t.resourceGroup}/providers/Microsoft.MachineLearningServices/workspaces/${t.workspace}`;

function record(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new Error(`${what} is not a JSON object`);
  return v as Record<string, unknown>;
}

/** The job definition of a schedule's CreateJob action, as the body of a new job. */
export function jobBodyFromSchedule(
  schedule: unknown,
  scheduleName: string,
  jobName: string,
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
  // Outputs without a fixed URI get a fresh default location per job; a URI the service filled in
  // for an earlier run would make two runs write to the same folder.
  const outputs = definition.outputs ? record(definition.outputs, 'jobDefinition.outputs') : undefined;
  const tags = definition.tags ? record(definition.tags, 'jobDefinition.tags') : {};
  return {
    properties: {
      ...definition,
      ...(outputs ? { outputs } : {}),
      tags: { ...tags, trigger: 'npm run retrain', schedule: scheduleName },
    },
    name: jobName,
  };
}

/** Submits the schedule's job now; with `wait`, polls it to the end. */
export async function retrain(options: RetrainOptions): Promise<RetrainResult> {
  const schedule = options.schedule ?? RETRAINING_SCHEDULE;
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
  const body = jobBodyFromSchedule(def, schedule, job);
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
      const model = outputs[MODEL_OUTPUT] ? record(outputs[MODEL_OUTPUT], 'outputs.model') : {};
      return { job, status, modelOutputUri: typeof model.uri === 'string' ? model.uri : undefined };
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
  readonly target: RetrainTarget;
  readonly arm: ArmClient;
  readonly uri: string;
  readonly dir: string;
  /** Opens a container of the datastore's storage account. @default - Entra ID credential */
  readonly container: (containerUrl: string) => ContainerClient;
}

/**
 * Copies every blob under a datastore path into `dir` (keeping the relative layout) and returns
 * the folder that holds `model.json`, the package's root.
 */
export async function downloadOutput(options: DownloadOptions): Promise<string> {
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
  let manifestDir: string | undefined;
  let count = 0;
  for await (const blob of container.listBlobsFlat({ prefix: `${prefix}/` })) {
    const rel = blob.name.slice(prefix.length + 1);
    if (rel === '' || rel.split('/').some((p) => p === '..' || p === '')) continue; // never write outside dir
    const file = path.join(options.dir, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    await container.getBlobClient(blob.name).downloadToFile(file);
    count++;
    if (path.basename(rel) === 'model.json') manifestDir = path.dirname(file);
  }
  if (count === 0) throw new Error(`nothing under ${options.uri}`);
  if (!manifestDir)
    throw new Error(`${options.uri} holds ${count} file(s) but no model.json: not a model package`);
  return manifestDir;
}

// ---------------------------------------------------------------------------------------------
// CLI

const USAGE =
  'usage: npm run retrain -- --env <env> --subscription <id> [--wait] [--download <dir>] [--result <file>] [--schedule <name>]';

export interface RetrainCliDeps {
  readonly credential?: TokenCredential;
  readonly armEndpoint?: string;
  readonly container?: (containerUrl: string) => ContainerClient;
  readonly pollIntervalMs?: number;
}

export async function runRetrainCli(
  argv: readonly string[],
  out: (s: string) => void,
  err: (s: string) => void,
  deps: RetrainCliDeps = {},
): Promise<number> {
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
        result: { type: 'string' },
      },
    }).values;
  } catch (e) {
    err(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const envs = Object.keys(ENVIRONMENTS);
  if (!values.env || !envs.includes(values.env)) {
    err(`--env must be one of ${envs.join(', ')}, got ${JSON.stringify(values.env ?? null)}\n${USAGE}`);
    return 2;
  }
  if (!values.subscription || !/^[0-9a-f-]{36}$/i.test(values.subscription)) {
    err(
      `--subscription must be a subscription id (GUID), got ${JSON.stringify(values.subscription ?? null)}\n${USAGE}`,
    );
    return 2;
  }
  if (values.download && !values.wait) {
    err(`--download needs --wait (the package exists only once the job completed)\n${USAGE}`);
    return 2;
  }
  const cfg: EnvironmentConfig = ENVIRONMENTS[values.env as EnvName];
  const names = platformNames({ project: cfg.namePrefix, env: values.env, salt: cfg.salt });
  const target = {
    subscriptionId: values.subscription,
    resourceGroup: names.resourceGroup,
    workspace: names.workspace,
  };
  const credential = deps.credential ?? new DefaultAzureCredential();
  const arm = new ArmClient({ credential, endpoint: deps.armEndpoint });
  try {
    const result = await retrain({
      target,
      arm,
      schedule: values.schedule,
      wait: values.wait,
      pollIntervalMs: deps.pollIntervalMs,
      onStatus: (s) => err(`retrain: job status ${s}`),
    });
    let packageDir: string | undefined;
    if (values.download && result.status === 'Completed') {
      if (!result.modelOutputUri)
        throw new Error(`job '${result.job}' completed without a '${MODEL_OUTPUT}' output URI`);
      packageDir = await downloadOutput({
        target,
        arm,
        uri: result.modelOutputUri,
        dir: values.download,
        container: deps.container ?? ((url) => new ContainerClient(url, credential)),
      });
    }
    const summary = { ...result, ...(packageDir ? { packageDir } : {}) };
    if (values.result) writeFileSync(values.result, `${JSON.stringify(summary, null, 2)}\n`);
    out(`retrain: job ${result.job} ${result.status}${packageDir ? `; package in ${packageDir}` : ''}`);
    return result.status === 'Completed' || result.status === 'Submitted' ? 0 : 1;
  } catch (e) {
    err(`retrain: ${(e as Error).message}`);
    return 2;
  }
}

if (require.main === module) {
  void runRetrainCli(
    process.argv.slice(2),
    (s) => console.log(s),
    (s) => console.error(s),
  ).then((code) => {
    process.exitCode = code;
  });
}
