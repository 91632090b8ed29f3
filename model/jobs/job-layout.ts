/**
 * How Azure ML lays out a command job on the compute node, reproduced in a local folder so the
 * job's exact command line can run on a laptop or in a test:
 *
 *   <root>/exe/wd/                              working directory = the code asset snapshot
 *   <root>/cap/data-capability/wd/INPUT_<name>/ where a uri_file/uri_folder input is mounted;
 *                                               `${{inputs.<name>}}` is the file (uri_file) or
 *                                               this folder (uri_folder)
 *   <root>/cap/data-capability/wd/<name>/       where an output folder is mounted (read-write);
 *                                               `${{outputs.<name>}}` is this folder
 *   literal inputs                              `${{inputs.<name>}}` is the value itself
 *
 * The folder names copy the paths Azure ML jobs show for mounted data
 * (`/mnt/azureml/cr/j/<job>/cap/data-capability/wd/INPUT_<name>`, `.../exe/wd`); the command
 * does not depend on them, only on the expressions, which Azure ML substitutes as plain text
 * before running the command in a shell. Azure ML also exposes each resolved path as the
 * environment variable AZURE_ML_INPUT_<name> / AZURE_ML_OUTPUT_<name> and the job id as
 * AZUREML_RUN_ID; set here the same way (unverified against current docs; nothing in the
 * command relies on them).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export type JobInputSpec =
  | { readonly jobInputType: 'uri_file' | 'uri_folder' }
  | { readonly jobInputType: 'literal'; readonly value: string };

export interface LocalJobLayout {
  readonly root: string;
  /** The command's working directory (copy the code asset here). */
  readonly workingDir: string;
  /** What `${{inputs.<name>}}` resolves to. */
  readonly inputs: Readonly<Record<string, string>>;
  /** What `${{outputs.<name>}}` resolves to. */
  readonly outputs: Readonly<Record<string, string>>;
  /** Environment variables Azure ML sets for the job. */
  readonly env: Readonly<Record<string, string>>;
}

export interface LayoutJobOptions {
  /** An empty (or new) folder to lay the job out in. */
  readonly root: string;
  readonly inputs: Readonly<Record<string, JobInputSpec>>;
  readonly outputs: Readonly<Record<string, unknown>>;
  /** Local data for each uri_file / uri_folder input: a file or a folder to copy in. */
  readonly data: Readonly<Record<string, string>>;
  /** Files or folders copied into the working directory (the code asset). */
  readonly code: readonly string[];
  /** The job id exposed as AZUREML_RUN_ID. */
  readonly jobId: string;
}

/** Lays out a job under `root` and returns where every expression points. */
export function layoutJobLocally(opts: LayoutJobOptions): LocalJobLayout {
  const root = path.resolve(opts.root);
  const workingDir = path.join(root, 'exe', 'wd');
  const dataDir = path.join(root, 'cap', 'data-capability', 'wd');
  fs.mkdirSync(workingDir, { recursive: true });
  fs.mkdirSync(dataDir, { recursive: true });
  for (const src of opts.code) fs.cpSync(src, path.join(workingDir, path.basename(src)), { recursive: true });
  const inputs: Record<string, string> = {};
  const env: Record<string, string> = { AZUREML_RUN_ID: opts.jobId };
  const problems: string[] = [];
  for (const [name, spec] of Object.entries(opts.inputs)) {
    if (spec.jobInputType === 'literal') {
      inputs[name] = spec.value;
      continue;
    }
    const src = opts.data[name];
    if (src === undefined || !fs.existsSync(src)) {
      problems.push(`input '${name}' (${spec.jobInputType}) needs local data, got ${String(src)}`);
      continue;
    }
    const mount = path.join(dataDir, `INPUT_${name}`);
    fs.mkdirSync(mount, { recursive: true });
    if (spec.jobInputType === 'uri_file') {
      const file = path.join(mount, path.basename(src));
      fs.copyFileSync(src, file);
      fs.chmodSync(file, 0o444); // mounted read-only
      inputs[name] = file;
    } else {
      fs.cpSync(src, mount, { recursive: true });
      inputs[name] = mount;
    }
    env[`AZURE_ML_INPUT_${name}`] = inputs[name];
  }
  if (problems.length > 0) throw new Error(`cannot lay out the job: ${problems.join('; ')}`);
  const outputs: Record<string, string> = {};
  for (const name of Object.keys(opts.outputs)) {
    outputs[name] = path.join(dataDir, name);
    fs.mkdirSync(outputs[name], { recursive: true });
    env[`AZURE_ML_OUTPUT_${name}`] = outputs[name];
  }
  return { root, workingDir, inputs, outputs, env };
}

/**
 * Substitutes `${{inputs.x}}` and `${{outputs.x}}` the way Azure ML does (plain text).
 * Throws on an expression with no value, and on a value a shell would split or expand, since
 * the substituted text is not quoted.
 */
export function resolveJobExpressions(
  command: string,
  values: {
    readonly inputs: Readonly<Record<string, string>>;
    readonly outputs: Readonly<Record<string, string>>;
  },
): string {
  const problems: string[] = [];
  const out = command.replace(
    /\$\{\{\s*(inputs|outputs)\.([A-Za-z0-9_]+)\s*\}\}/g,
    (expr, kind: string, name: string) => {
      const v = (kind === 'inputs' ? values.inputs : values.outputs)[name];
      if (v === undefined) {
        problems.push(`${expr} has no value`);
        return expr;
      }
      if (/[\s'"`$\\;&|<>()*?[\]{}!#~]/.test(v))
        problems.push(`${expr} = '${v}' is not a single plain shell word`);
      return v;
    },
  );
  if (/\$\{\{/.test(out) && problems.length === 0) problems.push(`unsupported expression in: ${out}`);
  if (problems.length > 0) throw new Error(`cannot resolve the job command: ${problems.join('; ')}`);
  return out;
}
