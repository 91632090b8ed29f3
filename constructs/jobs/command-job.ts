/**
 * An Azure ML command job definition (`CommandJob`, jobType `Command`): what a schedule's
 * `CreateJob` action submits. It is a definition, not an ARM resource of its own: a job runs
 * once and its name is unique, so Terraform never manages job runs; schedules create them
 * (../shared/azure-api/FACTS.md §2.7). {@link JobSchedule} puts {@link definition} into
 * `action.jobDefinition`.
 *
 * Job expressions such as `${{inputs.training_data}}` are resolved by Azure ML before the command
 * starts. Terraform would read `${...}` as its own interpolation, so the command goes through
 * `Fn.rawString`, which emits `$${{...}}`; Terraform turns that back into the literal text
 * (FACTS.md §0.10). Every `${{inputs.x}}`/`${{outputs.y}}` in the command must name a declared
 * input or output: a typo fails synth instead of the Monday job.
 *
 * Schema (schemas/azure-api, 2026-05-01): `command` and `environmentId` are required and must
 * contain `[a-zA-Z0-9_]`; inputs are `JobInput`s discriminated by `jobInputType`, outputs
 * `JobOutput`s by `jobOutputType`; `limits` = {jobLimitsType: 'Command', timeout (ISO-8601)};
 * `identity` = {identityType: 'Managed'} runs the job as the compute's managed identity.
 */
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { ComputeCluster } from './compute-cluster';

/** A data input (mounted or downloaded) or a literal value. */
export type CommandJobInput =
  | {
      readonly jobInputType: 'uri_file' | 'uri_folder' | 'mltable' | 'custom_model' | 'mlflow_model';
      readonly uri: string;
      /** @default - Azure ML's default for the type (ReadOnlyMount) */
      readonly mode?: 'ReadOnlyMount' | 'Download' | 'Direct' | 'EvalMount' | 'EvalDownload';
      readonly description?: string;
    }
  | { readonly jobInputType: 'literal'; readonly value: string; readonly description?: string };

/** Where a job writes a result; `assetName` registers it as an asset when the job ends. */
export interface CommandJobOutput {
  readonly jobOutputType: 'uri_file' | 'uri_folder' | 'mltable' | 'custom_model' | 'mlflow_model';
  /** @default - Azure ML's default (ReadWriteMount) */
  readonly mode?: 'ReadWriteMount' | 'Upload' | 'Direct';
  /** @default - the job's default output location */
  readonly uri?: string;
  /** @default - not registered */
  readonly assetName?: string;
  readonly description?: string;
}

export interface CommandJobProps {
  /** Experiment the runs are grouped under (letters, digits, `_`, `-`). */
  readonly experimentName: string;
  /** Shown in Studio. */
  readonly displayName: string;
  /** @default - none */
  readonly description?: string;
  /** The command line; may use `${{inputs.x}}` and `${{outputs.y}}` (written literally, never escaped by the caller). */
  readonly command: string;
  /** ARM id of the environment version (e.g. {@link JobImage.environmentVersionId}). */
  readonly environmentId: string;
  /** ARM id of the code version (e.g. {@link CodeAsset.codeVersionId}). @default - no code (the image holds it) */
  readonly codeId?: string;
  /** The cluster the job runs on; the job runs as its managed identity. */
  readonly compute: ComputeCluster;
  /** @default - none */
  readonly inputs?: Readonly<Record<string, CommandJobInput>>;
  /** @default - none */
  readonly outputs?: Readonly<Record<string, CommandJobOutput>>;
  /** @default - none */
  readonly environmentVariables?: Readonly<Record<string, string>>;
  /** Maximum run time, ISO-8601 (`PT2H`). @default 'PT2H' */
  readonly timeout?: string;
  /** Nodes per run. @default 1 */
  readonly instanceCount?: number;
  /** @default - none */
  readonly tags?: Readonly<Record<string, string>>;
}

const IO_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,254}$/;
const EXPERIMENT = /^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$/;
const ISO_DURATION = /^P(?!$)(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/;
const ENV_VAR = /^[A-Za-z_][A-Za-z0-9_]*$/;
const EXPRESSION = /\$\{\{\s*([^}]*?)\s*\}\}/g;

/** The `${{...}}` expressions of a command, in order (`inputs.x`, `outputs.y`, ...). */
export function jobExpressions(command: string): string[] {
  return [...command.matchAll(EXPRESSION)].map((m) => m[1] as string);
}

/** Problems with a command job definition (pure; exported for tests). */
export function commandJobErrors(
  props: Omit<CommandJobProps, 'compute' | 'environmentId'> & { readonly maxNodes?: number },
): string[] {
  const errors: string[] = [];
  if (!EXPERIMENT.test(props.experimentName)) {
    errors.push(`experimentName '${props.experimentName}' must match ${EXPERIMENT.source}`);
  }
  if (props.displayName.trim() === '') errors.push('displayName must not be empty');
  if (!/[a-zA-Z0-9_]/.test(props.command)) {
    errors.push(
      `command '${props.command}' must contain a letter, digit or '_' (schema pattern [a-zA-Z0-9_])`,
    );
  }
  const inputs = props.inputs ?? {};
  const outputs = props.outputs ?? {};
  for (const name of [...Object.keys(inputs), ...Object.keys(outputs)]) {
    if (!IO_NAME.test(name)) errors.push(`input/output name '${name}' must match ${IO_NAME.source}`);
  }
  for (const [name, input] of Object.entries(inputs)) {
    if (input.jobInputType === 'literal') {
      if (!/[a-zA-Z0-9_]/.test(input.value)) {
        errors.push(`inputs.${name}.value '${input.value}' must contain a letter, digit or '_'`);
      }
    } else if (!/[a-zA-Z0-9_]/.test(input.uri)) {
      errors.push(`inputs.${name}.uri '${input.uri}' must be a URI`);
    }
  }
  for (const expression of jobExpressions(props.command)) {
    const m = /^(inputs|outputs)\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(expression);
    if (!m) {
      errors.push(
        `command expression '\${{${expression}}}' must be \${{inputs.<name>}} or \${{outputs.<name>}}`,
      );
    } else if (m[1] === 'inputs' && !(m[2]! in inputs)) {
      errors.push(
        `command uses \${{inputs.${m[2]}}} but no such input is declared (inputs: ${Object.keys(inputs).join(', ') || 'none'})`,
      );
    } else if (m[1] === 'outputs' && !(m[2]! in outputs)) {
      errors.push(
        `command uses \${{outputs.${m[2]}}} but no such output is declared (outputs: ${Object.keys(outputs).join(', ') || 'none'})`,
      );
    }
  }
  for (const key of Object.keys(props.environmentVariables ?? {})) {
    if (!ENV_VAR.test(key)) errors.push(`environment variable '${key}' must match ${ENV_VAR.source}`);
  }
  if (props.timeout !== undefined && !ISO_DURATION.test(props.timeout)) {
    errors.push(`timeout '${props.timeout}' must be an ISO-8601 duration such as 'PT2H' or 'PT90M'`);
  }
  const count = props.instanceCount;
  if (count !== undefined && (!Number.isInteger(count) || count < 1)) {
    errors.push(`instanceCount ${count} must be a positive integer`);
  } else if (count !== undefined && props.maxNodes !== undefined && count > props.maxNodes) {
    errors.push(`instanceCount ${count} is above the cluster's maxNodes ${props.maxNodes}`);
  }
  return errors;
}

export class CommandJob extends Construct {
  /** The `CommandJob` body (jobType `Command`), ready for a schedule's `jobDefinition`. */
  public readonly definition: Readonly<Record<string, unknown>>;
  /** The command exactly as Azure ML receives it (after Terraform unescapes `$${{`). */
  public readonly command: string;
  public readonly compute: ComputeCluster;

  constructor(scope: Construct, id: string, props: CommandJobProps) {
    super(scope, id);
    const errors = commandJobErrors({ ...props, maxNodes: props.compute.maxNodes });
    if (errors.length > 0) {
      throw new Error(
        `CommandJob '${this.node.path}' (${errors.length} problem(s)):\n- ${errors.join('\n- ')}`,
      );
    }
    this.command = props.command;
    this.compute = props.compute;
    this.definition = {
      jobType: 'Command',
      displayName: props.displayName,
      experimentName: props.experimentName,
      description: props.description,
      // Fn.rawString: `${{...}}` reaches Azure ML literally instead of as a Terraform interpolation.
      command: Fn.rawString(props.command),
      environmentId: props.environmentId,
      codeId: props.codeId,
      computeId: props.compute.computeId,
      identity: { identityType: 'Managed' },
      inputs: props.inputs ? plain(props.inputs) : undefined,
      outputs: props.outputs ? plain(props.outputs) : undefined,
      environmentVariables: props.environmentVariables ? { ...props.environmentVariables } : undefined,
      resources: { instanceCount: props.instanceCount ?? 1 },
      limits: { jobLimitsType: 'Command', timeout: props.timeout ?? 'PT2H' },
      tags: props.tags ? { ...props.tags } : undefined,
    };
  }
}

/** A copy without `undefined` fields (they would synthesize as nulls inside the body). */
function plain<T extends object>(o: Readonly<Record<string, T>>): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    Object.entries(o).map(([k, v]) => [
      k,
      Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined)),
    ]),
  );
}
