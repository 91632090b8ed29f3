/**
 * `npm run retrain -- --env <env> --subscription <id> [--wait] [--download <dir>] [--result <file>] [--schedule <name>]`
 *
 * The weekly retraining, now: `npm run job` (scripts/run-job.ts) preset to the environment's
 * retraining schedule ({@link RETRAINING_SCHEDULE}) and its `model` output. With `--download` it
 * copies the model package the job wrote and reports the folder that holds `model.json`
 * (`packageDir` in the `--result` file), so `npm run register` can register it in the shared
 * registry. Used by .github/workflows/retrain.yml. Exit codes as `npm run job`: 0 completed (or
 * submitted without --wait), 1 the job failed or was canceled, 2 usage or service error.
 */
import path from 'node:path';
import { runJobCli, scheduleJobBody, type JobCliDeps, type JobCliPreset } from './run-job';

export { parseDatastoreUri } from './run-job';

/** The retraining schedule's name in every environment (stacks/jobs.ts; checked by a synth test). */
export const RETRAINING_SCHEDULE = 'fraud-weekly-retraining';
/** The job output that holds the model package (model/jobs TRAINING_JOB_IO). */
export const MODEL_OUTPUT = 'model';

/** The retraining schedule's job definition as a new job, tagged `trigger: npm run retrain`. */
export const jobBodyFromSchedule = (
  schedule: unknown,
  scheduleName: string,
  jobName: string,
): Record<string, unknown> => scheduleJobBody(schedule, scheduleName, jobName, 'npm run retrain');

/** The folder that holds `model.json` among the downloaded files: the package's root. */
export function packageDirOf(files: readonly string[], uri: string): string {
  const manifest = files.find((f) => path.basename(f) === 'model.json');
  if (!manifest)
    throw new Error(`${uri} holds ${files.length} file(s) but no model.json: not a model package`);
  return path.dirname(manifest);
}

export const RETRAIN_PRESET: JobCliPreset = {
  name: 'retrain',
  usage:
    'usage: npm run retrain -- --env <env> --subscription <id> [--wait] [--download <dir>] [--result <file>] [--schedule <name>]',
  schedule: RETRAINING_SCHEDULE,
  output: MODEL_OUTPUT,
  inspect: (files, uri) => {
    const packageDir = packageDirOf(files, uri);
    return { fields: { packageDir }, note: `package in ${packageDir}` };
  },
};

export type RetrainCliDeps = JobCliDeps;

export const runRetrainCli = (
  argv: readonly string[],
  out: (s: string) => void,
  err: (s: string) => void,
  deps: RetrainCliDeps = {},
): Promise<number> => runJobCli(argv, out, err, deps, RETRAIN_PRESET);

if (require.main === module) {
  void runRetrainCli(
    process.argv.slice(2),
    (s) => console.log(s),
    (s) => console.error(s),
  ).then((code) => {
    process.exitCode = code;
  });
}
