/**
 * Runs Terraform's own configuration loader on synthesized stacks, with no provider and no
 * network: `terraform init -backend=false` under a CLI config whose only provider installation
 * method is an empty `filesystem_mirror`. Terraform parses and checks the whole configuration
 * (syntax, references in depends_on / replace_triggered_by / moved, ephemeral blocks,
 * `required_version`) before it installs providers, so when the configuration is sound the only
 * errors are the providers it cannot find in the mirror (PITFALLS.md §8).
 * https://developer.hashicorp.com/terraform/cli/config/config-file#provider-installation
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The `terraform` executable on PATH, or undefined when none is installed. */
export function findTerraform(searchPath = process.env.PATH ?? ''): string | undefined {
  for (const dir of searchPath.split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, process.platform === 'win32' ? 'terraform.exe' : 'terraform');
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The only errors a sound configuration may produce here: providers missing from the empty mirror. */
const PROVIDER_INSTALLATION_ERRORS = [
  'Failed to query available provider packages',
  'Failed to install provider',
];

export interface LoadResult {
  /** Error summaries other than provider installation; empty when Terraform accepted the config. */
  readonly configErrors: string[];
  /** Whether Terraform got as far as installing providers (i.e. the configuration loaded). */
  readonly reachedProviderInstallation: boolean;
  /** The combined output, for failure messages. */
  readonly output: string;
}

/**
 * Writes each stack's JSON into its own folder under one temporary directory, runs
 * `terraform init -backend=false` there, and removes the directory again.
 */
export function loadWithTerraform(
  terraform: string,
  stacks: Record<string, string>,
): Record<string, LoadResult> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-loader-'));
  try {
    const mirror = path.join(root, 'empty-mirror');
    fs.mkdirSync(mirror);
    const cliConfig = path.join(root, 'cli.tfrc');
    fs.writeFileSync(
      cliConfig,
      `disable_checkpoint = true\nprovider_installation {\n  filesystem_mirror {\n    path = ${JSON.stringify(mirror)}\n  }\n}\n`,
    );
    const results: Record<string, LoadResult> = {};
    for (const [name, json] of Object.entries(stacks)) {
      const dir = path.join(root, name.replace(/[^A-Za-z0-9_.-]/g, '_'));
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'cdk.tf.json'), json);
      const run = spawnSync(terraform, ['init', '-backend=false', '-input=false', '-no-color'], {
        cwd: dir,
        encoding: 'utf8',
        timeout: 60_000,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: root,
          TF_CLI_CONFIG_FILE: cliConfig,
          TF_DATA_DIR: path.join(dir, '.terraform'),
          TF_IN_AUTOMATION: '1',
          CHECKPOINT_DISABLE: '1',
        },
      });
      const output = `${run.stdout ?? ''}${run.stderr ?? ''}${run.error ? String(run.error) : ''}`;
      const summaries = [...output.matchAll(/^Error: (.+)$/gm)].map((m) => m[1].trim());
      results[name] = {
        configErrors: summaries.filter((s) => !PROVIDER_INSTALLATION_ERRORS.some((p) => s.startsWith(p))),
        reachedProviderInstallation: /Initializing provider plugins/.test(output),
        output,
      };
    }
    return results;
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
