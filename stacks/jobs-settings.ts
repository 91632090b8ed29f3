/**
 * Per-environment settings of the scheduled jobs (the `jobs` section of stacks/environments.ts)
 * and their checks. Pure: no cdktf. The checks run inside environmentErrors(), the one place
 * where environment settings are validated.
 */
import { computeClusterErrors } from '../constructs/jobs/compute-cluster';
import { formatValue as show } from '../constructs/core/values';

/** The Azure ML compute cluster the jobs run on (scales to zero between runs). */
export interface ComputeClusterSettings {
  /** VM size of a node, e.g. `Standard_DS3_v2`. */
  readonly vmSize: string;
  /** Upper bound of nodes (1-100); the cluster's minimum is always 0. */
  readonly maxNodes: number;
  /** Idle time before a node is released, in minutes (1-1440). @default 10 */
  readonly idleMinutesBeforeScaleDown?: number;
  /** `LowPriority` is cheaper and may be pre-empted. @default 'Dedicated' */
  readonly vmPriority?: 'Dedicated' | 'LowPriority';
}

/** The weekly retraining schedule (Monday 05:00 UTC, the original's cadence). */
export interface RetrainingSettings {
  /**
   * Whether the schedule starts jobs. The schedule exists either way, so enabling it is a
   * one-line change. Prod stays off by default: a retrained model reaches prod only through
   * registration and promotion (stacks/rollout.ts), never by retraining in prod.
   * @default - true, except in prod (false)
   */
  readonly isEnabled?: boolean;
}

/** The training data asset (`fraud-transactions`, one CSV on the workspace's training datastore). */
export interface TrainingDataSettings {
  /**
   * Version of the data asset; the CSV lives at `transactions/<version>/transactions.csv` in the
   * `training-data` container (docs/lifecycle.md shows the upload). Data versions are immutable:
   * new data gets a new version here.
   * @default '1'
   */
  readonly version?: string;
}

export interface JobsSettings {
  /** The compute cluster. */
  readonly compute: ComputeClusterSettings;
  /** @default - see RetrainingSettings */
  readonly retraining?: RetrainingSettings;
  /** @default - version '1' */
  readonly trainingData?: TrainingDataSettings;
}

/** Whether the weekly retraining runs in `env` (the default depends on the environment). */
export function retrainingEnabled(env: string, jobs: JobsSettings | undefined): boolean {
  return jobs?.retraining?.isEnabled ?? env !== 'prod';
}

const DATA_VERSION = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Problems of one environment's jobs settings, as `<env>.jobs.<field> = <value>: <rule>`. */
export function jobsSettingsErrors(env: string, jobs: JobsSettings | undefined): string[] {
  if (jobs === undefined) return [];
  const at = `${env}.jobs`;
  const errors: string[] = [];
  if (jobs.compute === undefined || jobs.compute === null) {
    errors.push(`${at}.compute = undefined: is required (vmSize and maxNodes)`);
  } else {
    errors.push(
      ...computeClusterErrors({
        vmSize: jobs.compute.vmSize,
        maxNodes: jobs.compute.maxNodes,
        idleMinutesBeforeScaleDown: jobs.compute.idleMinutesBeforeScaleDown,
        vmPriority: jobs.compute.vmPriority,
      }).map((e) => `${at}.compute.${e}`),
    );
  }
  const enabled = jobs.retraining?.isEnabled;
  if (enabled !== undefined && typeof enabled !== 'boolean') {
    errors.push(`${at}.retraining.isEnabled = ${show(enabled)}: must be true or false`);
  }
  const version = jobs.trainingData?.version;
  if (version !== undefined && (typeof version !== 'string' || !DATA_VERSION.test(version))) {
    errors.push(
      `${at}.trainingData.version = ${show(version)}: must be 1-64 letters, digits, '.', '_' or '-' starting with a letter or digit`,
    );
  }
  return errors;
}
