/**
 * The jobs of an environment: a compute cluster that scales to zero, the Node 20 job image, the
 * trainer as a code asset, the training data asset, the training command job (its command line,
 * inputs and outputs are THE contract of model/jobs/training-job.ts) and the weekly retraining
 * schedule (Monday 05:00 UTC, the original's cadence). Built by FraudStack beside Platform and
 * Serving.
 *
 * Adding another scheduled job (e.g. the daily drift check): build a `CommandJob` on
 * `jobs.cluster` with `jobs.image.environmentVersionId` and its own `CodeAsset`, then a
 * `JobSchedule` with `Cron.daily(6)`; grant its data access to `jobs.cluster.principalId`.
 */
import { Construct } from 'constructs';
import {
  CodeAsset,
  CodeWriter,
  CommandJob,
  ComputeCluster,
  Cron,
  DataAsset,
  JobImage,
  JobSchedule,
} from '../constructs/jobs';
import { managedIdentity } from '../constructs/core/grants';
import { ContainerRegistry } from '../constructs/platform/container-registry';
import { MlWorkspace } from '../constructs/platform/ml-workspace';
import { SecureStorage } from '../constructs/platform/storage';
import type { BuildContextWriter } from '../constructs/serving/scoring-image';
import { TRAINER_BUNDLE_FILE, trainingJobIo } from '../model/jobs';
import { JobsSettings, retrainingEnabled } from './jobs-settings';

/** Used when an environment has no `jobs` section. */
export const DEFAULT_JOBS_SETTINGS: JobsSettings = {
  compute: { vmSize: 'Standard_DS3_v2', maxNodes: 2 },
};

/** The training data asset's name; its versions come from `jobs.trainingData.version`. */
export const TRAINING_DATA_ASSET = 'fraud-transactions';
/** Where a data version's CSV goes in the `training-data` container. */
export const trainingDataPath = (version: string): string => `transactions/${version}/transactions.csv`;
/**
 * Each run's package is registered in the workspace as the next version of this model (Azure ML
 * registers a job output that names an `assetName` when the job completes; the version is the next
 * integer). The shared registry's versions stay those `npm run register` creates from the
 * manifest's version, so the two numbering schemes never meet under one name.
 */
export const RETRAINED_MODEL_ASSET = 'fraud-detection-model-candidates';

export interface JobsProps {
  readonly envName: string;
  /** @default DEFAULT_JOBS_SETTINGS */
  readonly settings?: JobsSettings;
  readonly location: string;
  readonly subscriptionId: string;
  readonly workspace: MlWorkspace;
  readonly storage: SecureStorage;
  readonly containerRegistry: ContainerRegistry;
  /** Writes the job image's Docker build context at synth. */
  readonly writeImageContext: BuildContextWriter;
  /** Writes the trainer code asset at synth (model/jobs/trainer-bundle.ts). */
  readonly writeTrainerCode: CodeWriter;
  /** @default - none */
  readonly tags?: Readonly<Record<string, string>>;
}

export class Jobs extends Construct {
  /** The compute cluster every job runs on; jobs run as its managed identity. */
  public readonly cluster: ComputeCluster;
  /** The Node 20 job image (an Azure ML environment version). */
  public readonly image: JobImage;
  /** The esbuild bundle of the train CLI; its version is its content hash. */
  public readonly trainerCode: CodeAsset;
  /** The training CSV, `fraud-transactions:<version>`. */
  public readonly trainingData: DataAsset;
  /** The training command job definition. */
  public readonly trainingJob: CommandJob;
  /** The weekly retraining schedule (enabled per environment). */
  public readonly retrainingSchedule: JobSchedule;

  constructor(scope: Construct, id: string, props: JobsProps) {
    super(scope, id);
    const settings = props.settings ?? DEFAULT_JOBS_SETTINGS;
    const tags = props.tags ? { ...props.tags } : undefined;

    this.cluster = new ComputeCluster(this, 'Cluster', {
      workspace: props.workspace,
      vmSize: settings.compute.vmSize,
      maxNodes: settings.compute.maxNodes,
      idleMinutesBeforeScaleDown: settings.compute.idleMinutesBeforeScaleDown,
      vmPriority: settings.compute.vmPriority,
      location: props.location,
      tags,
    });
    // What the jobs' identity needs and nothing more: pull the job image, read the code and the
    // training data, write the job outputs (all in the workspace storage account).
    const identity = managedIdentity(this.cluster.principalId);
    props.containerRegistry.grant('JobClusterAcrPull', 'AcrPull', identity);
    props.storage.grant('JobClusterBlobReadWrite', 'Storage Blob Data Contributor', identity);

    this.image = new JobImage(this, 'Image', {
      workspace: props.workspace,
      storage: props.storage,
      containerRegistry: props.containerRegistry,
      writeBuildContext: props.writeImageContext,
    });
    this.trainerCode = new CodeAsset(this, 'TrainerCode', {
      workspace: props.workspace,
      storage: props.storage,
      name: 'fraud-trainer',
      writeCode: props.writeTrainerCode,
      requiredFiles: [TRAINER_BUNDLE_FILE],
      description: 'The train CLI (model/cli/train.ts) bundled by esbuild',
    });
    const dataVersion = settings.trainingData?.version ?? '1';
    this.trainingData = new DataAsset(this, 'TrainingData', {
      workspace: props.workspace,
      storage: props.storage,
      subscriptionId: props.subscriptionId,
      name: TRAINING_DATA_ASSET,
      version: dataVersion,
      path: trainingDataPath(dataVersion),
    });

    // THE command line and I/O contract of the training job (model/jobs/training-job.ts).
    const io = trainingJobIo({
      dataUri: this.trainingData.datastoreUri,
      dataAsset: { name: TRAINING_DATA_ASSET, version: dataVersion },
      codeVersion: this.trainerCode.version,
      modelAssetName: RETRAINED_MODEL_ASSET,
    });
    this.trainingJob = new CommandJob(this, 'TrainingJob', {
      experimentName: 'fraud-retrain',
      displayName: `fraud model retraining (${props.envName})`,
      description: 'Trains the fraud model on the training data asset and writes the model package',
      command: io.command,
      environmentId: this.image.environmentVersionId,
      codeId: this.trainerCode.codeVersionId,
      compute: this.cluster,
      inputs: io.inputs,
      // A custom_model folder output, registered as the next candidates version when the job ends.
      outputs: io.outputs,
      environmentVariables: { ORT_DISABLE_TELEMETRY: '1' },
      timeout: 'PT2H',
      tags,
    });
    this.retrainingSchedule = new JobSchedule(this, 'WeeklyRetraining', {
      workspace: props.workspace,
      name: 'fraud-weekly-retraining',
      displayName: 'Weekly retraining (Monday 05:00 UTC)',
      description: 'Retrains the fraud model every Monday at 05:00 UTC (the original cadence)',
      job: this.trainingJob,
      trigger: Cron.weekly('Monday', 5, 0),
      isEnabled: retrainingEnabled(props.envName, settings),
    });
  }
}
