/**
 * THE training job contract, shared by the infrastructure (the Azure ML command job and the
 * weekly schedule's `jobDefinition`) and by the test that runs the command locally
 * (__tests__/model/jobs/training-job.test.ts): one command string, one set of inputs and
 * outputs, so what the test runs is exactly what Azure ML runs.
 *
 * The command runs our `train` CLI (model/cli/train.ts, bundled by ./trainer-bundle.ts into the
 * code asset as `train.cjs`) from the job's working directory, which is the code snapshot.
 * It uses only `${{inputs.x}}` / `${{outputs.x}}` expressions (Azure ML resolves them to local
 * paths or literal values before the command starts; reference-yaml-job-command), so the string
 * never changes between runs: the data asset and code versions arrive as literal inputs.
 * In cdktf the string must go through `Fn.rawString(...)` so Terraform emits `$${{...}}` and
 * leaves the expressions alone (../shared/azure-api/FACTS.md §0.10).
 *
 * Shapes follow the 2026-05-01 schema (CommandJob.inputs: JobInput discriminated by
 * `jobInputType`: `uri_file` {uri, mode}, `literal` {value}; CommandJob.outputs: JobOutput by
 * `jobOutputType`: `custom_model` {mode, uri?, assetName?}: a folder the job writes, which Azure
 * ML registers as a model version of `assetName` when the job ends, if one is given).
 */

/** The code asset's entry file: the esbuild bundle of model/cli/train.ts. */
export const TRAINER_BUNDLE_FILE = 'train.cjs';

/** Input and output names, as the command refers to them. */
export const TRAINING_JOB_IO = {
  /** The training CSV (the data asset: one CSV file in the original schema). */
  data: 'training_data',
  /** Literal `name:version` of that data asset, recorded in the manifest's lineage. */
  dataAsset: 'data_asset',
  /** Literal code asset version (its content hash), recorded as the manifest's codeVersion. */
  codeVersion: 'code_version',
  /** Folder the package is written to: `<output>/<model name>/<version>/`. */
  model: 'model',
} as const;

/**
 * The command line of the training job. The job id comes from the environment Azure ML sets in
 * the job's container (`AZUREML_RUN_ID`; see jobIdFromEnvironment).
 * `--no-data-summary`: the danfojs summary is left out of job runs (danfojs is not in the job
 * image; it adds ~2 s and a large dependency for a table in the report).
 */
export const TRAINING_JOB_COMMAND =
  `node ${TRAINER_BUNDLE_FILE}` +
  ` --data \${{inputs.${TRAINING_JOB_IO.data}}}` +
  ` --out \${{outputs.${TRAINING_JOB_IO.model}}}` +
  ` --data-asset \${{inputs.${TRAINING_JOB_IO.dataAsset}}}` +
  ` --code-version \${{inputs.${TRAINING_JOB_IO.codeVersion}}}` +
  ' --no-data-summary';

export interface UriFileJobInput {
  readonly jobInputType: 'uri_file';
  readonly uri: string;
  readonly mode: 'ReadOnlyMount' | 'Download';
  readonly description?: string;
}
export interface LiteralJobInput {
  readonly jobInputType: 'literal';
  readonly value: string;
  readonly description?: string;
}
export interface CustomModelJobOutput {
  readonly jobOutputType: 'custom_model';
  readonly mode: 'ReadWriteMount' | 'Upload';
  /** Registers the output as a model version of this name when the job ends. */
  readonly assetName?: string;
  readonly description?: string;
}

export interface TrainingJobIoProps {
  /**
   * The data input's URI: the data asset version's ARM id
   * (`.../workspaces/<ws>/data/<name>/versions/<v>`) or `azureml:<name>:<version>`.
   */
  readonly dataUri: string;
  /** The data asset's name and version, recorded as lineage (`name:version`). */
  readonly dataAsset: { readonly name: string; readonly version: string };
  /** The code asset's version (its content hash). */
  readonly codeVersion: string;
  /** Register the job's output as a model version of this name. @default - not registered by the job */
  readonly modelAssetName?: string;
}

export interface TrainingJobIo {
  readonly command: string;
  readonly inputs: {
    readonly training_data: UriFileJobInput;
    readonly data_asset: LiteralJobInput;
    readonly code_version: LiteralJobInput;
  };
  readonly outputs: { readonly model: CustomModelJobOutput };
}

/** Literal input values must match the schema's `[a-zA-Z0-9_]` (non-empty) and stay one shell word. */
const LITERAL_RE = /^[A-Za-z0-9][A-Za-z0-9._:+-]{0,254}$/;

/**
 * The command, inputs and outputs of the training job (the `CommandJob` fields the
 * infrastructure puts into its body next to environmentId, codeId, computeId, ...).
 * Throws one error listing every bad value.
 */
export function trainingJobIo(props: TrainingJobIoProps): TrainingJobIo {
  const dataAsset = `${props.dataAsset.name}:${props.dataAsset.version}`;
  const problems: string[] = [];
  const isToken = (s: string): boolean => s.includes('${'); // a Terraform reference, known at apply
  if (props.dataUri.trim() === '') problems.push('dataUri must not be empty');
  if (!isToken(dataAsset) && !LITERAL_RE.test(dataAsset)) {
    problems.push(`dataAsset '${dataAsset}' must be name:version of letters, digits, '.', '_', '-'`);
  }
  if (!isToken(props.codeVersion) && !LITERAL_RE.test(props.codeVersion)) {
    problems.push(`codeVersion '${props.codeVersion}' must be letters, digits, '.', '_', '-', '+', ':'`);
  }
  if (problems.length > 0) throw new Error(`training job: ${problems.join('; ')}`);
  return {
    command: TRAINING_JOB_COMMAND,
    inputs: {
      training_data: {
        jobInputType: 'uri_file',
        uri: props.dataUri,
        mode: 'ReadOnlyMount',
        description: 'training data: one CSV in the original transaction schema',
      },
      data_asset: {
        jobInputType: 'literal',
        value: dataAsset,
        description: 'data asset name:version (lineage)',
      },
      code_version: { jobInputType: 'literal', value: props.codeVersion, description: 'code asset version' },
    },
    outputs: {
      model: {
        jobOutputType: 'custom_model',
        mode: 'ReadWriteMount',
        ...(props.modelAssetName !== undefined ? { assetName: props.modelAssetName } : {}),
        description: 'the model package, <model name>/<version>/ (model.onnx, model.json, report)',
      },
    },
  };
}

/**
 * The job (run) id inside an Azure ML job container. Azure ML sets `AZUREML_RUN_ID` there
 * (unverified against current docs; MLflow-based jobs also see `MLFLOW_RUN_ID`, the same id).
 * Safe choice: the job id is optional lineage; when neither is set nothing is recorded.
 */
export function jobIdFromEnvironment(env: Readonly<Record<string, string | undefined>>): string | undefined {
  return env.AZUREML_RUN_ID || env.MLFLOW_RUN_ID || undefined;
}
