/**
 * The daily drift check as an Azure ML schedule (06:00 UTC, the original's cadence): a command
 * job on the jobs' compute cluster, in the jobs' Node 20 image, running the drift CLI
 * (model/cli/drift.ts, bundled by esbuild into `drift.cjs`, its own hash-versioned code asset)
 * against the service's drift windows in Log Analytics, for the model of the stable deployment.
 *
 * Contract with the drift alert (stacks/monitoring.ts): the CLI sends `model_drift_detected`
 * (0/1) and `model_drift_feature_statistic` per feature to Application Insights
 * (model/drift/metrics.ts), with the `environment` dimension set to the environment's name.
 *
 * The command, and why each part:
 * - `--baseline`: the directory of the mounted model input that holds `model.json`, found with
 *   `find` (UNVERIFIED: whether Azure ML mounts a custom_model input with its files at the top or
 *   one folder down; the service searches AZUREML_MODEL_DIR the same way). Safe choice: search;
 *   no match makes the CLI fail with "model package folder ... does not exist".
 * - `--current log-analytics`: the service's drift windows (AppEvents) of the last 24 h, read as
 *   the cluster's managed identity, which gets `Log Analytics Reader` on the workspace (the CLI uses
 *   DefaultAzureCredential; UNVERIFIED on a compute cluster without AZURE_CLIENT_ID: its
 *   system-assigned identity is the only one, so no client id is needed).
 * - exit codes: the CLI exits 1 on drift, which Azure ML would show as a FAILED job every day the
 *   data drifts. `|| test $? -eq 1` maps drift to success (the alert reports drift, from the
 *   metric) and keeps 2 (an error: no data, bad package, query failure) a failed job.
 *   .github/workflows/drift.yml therefore takes the verdict from the downloaded
 *   `drift-report.json` (`drifted`: exit 1), and a Failed job (or no report) as an error (exit 2).
 * - the connection string travels in `sensitive_body` (JobSchedule.sensitiveEnvironmentVariables),
 *   never in the plan.
 */
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { buildSync } from 'esbuild';
import { Construct } from 'constructs';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { grantRole, managedIdentity } from '../constructs/core/grants';
import { CodeAsset, CodeWriter, CommandJob, Cron, JobSchedule } from '../constructs/jobs';
import { AppInsights } from '../constructs/platform/app-insights';
import type { IModelRegistry } from '../constructs/platform/model-registry';
import { LogAnalytics } from '../constructs/platform/log-analytics';
import { cachedBundle, copyBundle } from './bundle-cache';
import { MlWorkspace } from '../constructs/platform/ml-workspace';
import { SecureStorage } from '../constructs/platform/storage';
import { Jobs } from './jobs';

/**
 * The schedule's name in every environment's workspace; .github/workflows/drift.yml runs it with
 * `npm run job -- --schedule <this>` (a synth test ties the two).
 */
export const DRIFT_SCHEDULE = 'fraud-daily-drift';
/** The job output the CLI writes its reports into (drift-report.json, .html, drift.md). */
export const DRIFT_REPORT_OUTPUT = 'report';

/** The bundled drift CLI in the code asset. */
export const DRIFT_BUNDLE_FILE = 'drift.cjs';
/**
 * Left out of the bundle: onnxruntime-node (native; the CLI loads it only to score a CSV, and the
 * job reads Log Analytics, which carries the scores).
 */
export const DRIFT_EXTERNALS = ['onnxruntime-node'] as const;

const REPO_ROOT = path.join(__dirname, '..');
const ENTRY = path.join(REPO_ROOT, 'model', 'cli', 'drift.ts');

/** esbuild bundle of the drift CLI into `<outDir>/drift.cjs` (deterministic: same sources, same bytes). */
export function bundleDriftCliSync(outDir: string): readonly string[] {
  mkdirSync(outDir, { recursive: true });
  const result = buildSync({
    entryPoints: [ENTRY],
    outfile: path.join(outDir, DRIFT_BUNDLE_FILE),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: [...DRIFT_EXTERNALS],
    minify: false,
    sourcemap: false,
    legalComments: 'none',
    absWorkingDir: REPO_ROOT,
    logLevel: 'silent',
  });
  if (result.errors.length > 0) {
    throw new Error(`esbuild failed on ${ENTRY}: ${result.errors.map((e) => e.text).join('; ')}`);
  }
  return [DRIFT_BUNDLE_FILE];
}

let bundled: ReturnType<typeof cachedBundle> | undefined;

/**
 * The drift code asset's writer. The CLI pulls in the Application Insights and Azure SDKs (about
 * 2,300 modules, 7.6 MB, ~30x the trainer's bundle time), so it is bundled once per source
 * version and shared by processes (stacks/bundle-cache.ts), then copied for every environment.
 */
export const writeDriftCode: CodeWriter = ({ outDir }) => {
  bundled ??= cachedBundle({
    name: 'drift',
    sourceDirs: ['model', 'util'],
    options: { entry: 'model/cli/drift.ts', externals: DRIFT_EXTERNALS },
    build: (dir) => bundleDriftCliSync(dir),
  });
  return { files: copyBundle(bundled, outDir), assetHash: bundled.assetHash };
};

/**
 * The job's command line (Azure ML runs it in a shell; `${{...}}` are job expressions). No double
 * quotes: CommandJob passes the command through `Fn.rawString`, which escapes `"` as `\"`, and
 * in Terraform's JSON syntax that backslash would reach Azure ML. Azure ML's mount paths have no
 * spaces, so the substitutions need no quoting.
 */
export const DRIFT_JOB_COMMAND = [
  `node ${DRIFT_BUNDLE_FILE}`,
  '--baseline $(dirname $(find ${{inputs.model}} -maxdepth 4 -name model.json | head -n 1))',
  '--current log-analytics --window 24h',
  '--environment ${{inputs.environment}}',
  `--out-dir \${{outputs.${DRIFT_REPORT_OUTPUT}}}`,
  '|| test $? -eq 1',
].join(' ');

export interface DriftJobProps {
  readonly envName: string;
  readonly workspace: MlWorkspace;
  readonly storage: SecureStorage;
  /** The compute cluster and job image (stacks/jobs.ts). */
  readonly jobs: Jobs;
  /** Where the service's drift windows are (read) ... */
  readonly logAnalytics: LogAnalytics;
  /** ... and where the drift metrics go (written). */
  readonly appInsights: AppInsights;
  /** Job input URI of the model whose baseline is compared (`azureml://registries/...` or `azureml:<name>:<version>`). */
  readonly modelUri: string;
  /** `name:version` of that model, for the description. */
  readonly modelRef: string;
  /** The shared registry: the job identity reads the model from it. */
  readonly modelRegistry: IModelRegistry;
  /** Writes the drift code asset at synth. */
  readonly writeCode: CodeWriter;
  /** @default true */
  readonly isEnabled?: boolean;
  /** @default - none */
  readonly tags?: Readonly<Record<string, string>>;
}

export class DriftJob extends Construct {
  public readonly code: CodeAsset;
  public readonly job: CommandJob;
  public readonly schedule: JobSchedule;
  /** `Log Analytics Reader` for the cluster identity (the job runs as it). */
  public readonly logReader: RoleAssignment;
  /** `AzureML Registry User` on the shared registry for the cluster identity (the model input). */
  public readonly registryUser: RoleAssignment;

  constructor(scope: Construct, id: string, props: DriftJobProps) {
    super(scope, id);
    const tags = props.tags ? { ...props.tags } : undefined;
    this.logReader = grantRole(this, 'ClusterLogAnalyticsReader', {
      scopeId: props.logAnalytics.workspaceResourceId,
      roleName: 'Log Analytics Reader',
      grantee: managedIdentity(props.jobs.cluster.principalId),
    });
    this.registryUser = props.modelRegistry.grant(
      'DriftClusterRegistryUser',
      'AzureML Registry User',
      managedIdentity(props.jobs.cluster.principalId),
    );
    this.code = new CodeAsset(this, 'Code', {
      workspace: props.workspace,
      storage: props.storage,
      name: 'fraud-drift',
      writeCode: props.writeCode,
      requiredFiles: [DRIFT_BUNDLE_FILE],
      description: 'The drift CLI (model/cli/drift.ts) bundled by esbuild',
    });
    this.job = new CommandJob(this, 'Job', {
      experimentName: 'fraud-drift',
      displayName: `daily drift check (${props.envName})`,
      description: `Compares the last 24 h of production inputs with the baseline of ${props.modelRef}`,
      command: DRIFT_JOB_COMMAND,
      environmentId: props.jobs.image.environmentVersionId,
      codeId: this.code.codeVersionId,
      compute: props.jobs.cluster,
      inputs: {
        model: { jobInputType: 'custom_model', uri: props.modelUri, mode: 'ReadOnlyMount' },
        environment: { jobInputType: 'literal', value: props.envName },
      },
      outputs: { [DRIFT_REPORT_OUTPUT]: { jobOutputType: 'uri_folder', mode: 'Upload' } },
      environmentVariables: {
        ORT_DISABLE_TELEMETRY: '1',
        LOG_ANALYTICS_WORKSPACE_ID: props.logAnalytics.customerId,
      },
      timeout: 'PT1H',
      tags,
    });
    this.schedule = new JobSchedule(this, 'DailyDrift', {
      workspace: props.workspace,
      name: DRIFT_SCHEDULE,
      displayName: 'Daily drift check (06:00 UTC)',
      description: 'Checks production inputs for drift every day at 06:00 UTC and sends the drift metrics',
      job: this.job,
      trigger: Cron.daily(6),
      isEnabled: props.isEnabled ?? true,
      sensitiveEnvironmentVariables: {
        APPLICATIONINSIGHTS_CONNECTION_STRING: props.appInsights.connectionString,
      },
    });
    // The first run must find its grants in place.
    this.schedule.resource.node.addDependency(this.logReader, this.registryUser);
  }
}
