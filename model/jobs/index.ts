/**
 * The training job contract for the infrastructure: the command line, its inputs and outputs,
 * and the trainer bundle that becomes the code asset. See training-job.ts.
 */
export {
  TRAINER_BUNDLE_FILE,
  TRAINING_JOB_COMMAND,
  TRAINING_JOB_IO,
  jobIdFromEnvironment,
  trainingJobIo,
  type LiteralJobInput,
  type TrainingJobIo,
  type TrainingJobIoProps,
  type UriFileJobInput,
  type CustomModelJobOutput,
} from './training-job';
export {
  TRAINER_EXTERNALS,
  bundleTrainerSync,
  type BundleTrainerOptions,
  type BundleTrainerResult,
} from './trainer-bundle';
export { layoutJobLocally, resolveJobExpressions, type LocalJobLayout } from './job-layout';
