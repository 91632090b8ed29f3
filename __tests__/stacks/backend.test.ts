import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, TerraformStack, Testing } from 'cdktf';
import { applyStateBackend, BACKEND_ENV_VARS, stateBackendFromEnv } from '../../stacks/backend';

describe('stateBackendFromEnv', () => {
  test('no variables: local state, allowed only for dev', () => {
    expect(stateBackendFromEnv({})).toEqual({ kind: 'local', allowAllEnvironments: false });
    expect(stateBackendFromEnv({ TF_STATE_RESOURCE_GROUP: ' ' })).toEqual({
      kind: 'local',
      allowAllEnvironments: false,
    });
    expect(stateBackendFromEnv({ TF_STATE_ALLOW_LOCAL: '1' })).toEqual({
      kind: 'local',
      allowAllEnvironments: true,
    });
    expect(stateBackendFromEnv({ TF_STATE_ALLOW_LOCAL: '0' })).toEqual({
      kind: 'local',
      allowAllEnvironments: false,
    });
  });

  test('TF_STATE_ALLOW_LOCAL takes 1 or 0 only (a typo must not silently pass)', () => {
    expect(() => stateBackendFromEnv({ TF_STATE_ALLOW_LOCAL: 'yes' })).toThrow(
      /TF_STATE_ALLOW_LOCAL must be 1 \(allow local state for every environment\) or 0\/unset, got 'yes'/,
    );
  });

  test('all three required variables: azurerm, optional prefix and subscription', () => {
    expect(
      stateBackendFromEnv({
        TF_STATE_RESOURCE_GROUP: 'rg-tfstate',
        TF_STATE_STORAGE_ACCOUNT: 'sttfstate',
        TF_STATE_CONTAINER: 'tfstate',
        TF_STATE_KEY_PREFIX: 'fraud/',
        TF_STATE_SUBSCRIPTION_ID: 'sub',
      }),
    ).toEqual({
      kind: 'azurerm',
      resourceGroupName: 'rg-tfstate',
      storageAccountName: 'sttfstate',
      containerName: 'tfstate',
      keyPrefix: 'fraud/',
      subscriptionId: 'sub',
    });
  });

  test('a partial set is an error naming what is missing', () => {
    expect(() => stateBackendFromEnv({ TF_STATE_RESOURCE_GROUP: 'rg', TF_STATE_CONTAINER: 'c' })).toThrow(
      /set TF_STATE_STORAGE_ACCOUNT too, or unset TF_STATE_RESOURCE_GROUP, TF_STATE_CONTAINER for local state/,
    );
  });

  test('documents the variable names', () => {
    expect(Object.values(BACKEND_ENV_VARS)).toEqual([
      'TF_STATE_RESOURCE_GROUP',
      'TF_STATE_STORAGE_ACCOUNT',
      'TF_STATE_CONTAINER',
      'TF_STATE_KEY_PREFIX',
      'TF_STATE_SUBSCRIPTION_ID',
      'TF_STATE_ALLOW_LOCAL',
    ]);
  });
});

/** A stack holding only the backend (and, for non-dev local state, the guard). */
function guardOnlyStack(envName: string | undefined, allowAll = false): string {
  const stack = new TerraformStack(Testing.app(), 'fraud-x');
  applyStateBackend(stack, 'fraud-x', { kind: 'local', allowAllEnvironments: allowAll }, envName);
  return Testing.synth(stack);
}

describe('applyStateBackend: local state outside dev fails at plan, not at synth', () => {
  test('the guard is emitted for staging, prod and stacks without an environment, not for dev', () => {
    const hasGuard = (json: string): boolean =>
      'terraform_data' in ((JSON.parse(json) as { resource?: object }).resource ?? {});
    expect(hasGuard(guardOnlyStack('dev'))).toBe(false);
    expect(hasGuard(guardOnlyStack('staging'))).toBe(true);
    expect(hasGuard(guardOnlyStack('prod'))).toBe(true);
    expect(hasGuard(guardOnlyStack(undefined))).toBe(true);
    expect(hasGuard(guardOnlyStack('prod', true))).toBe(false);
  });

  // The real Terraform binary: `validate` (what CI runs) passes, `plan` fails with the message.
  // terraform_data is built into Terraform, so no provider has to be downloaded.
  const terraform = spawnSync('terraform', ['version'], { encoding: 'utf8' });
  const haveTerraform = terraform.status === 0;
  if (!haveTerraform) {
    console.log('backend.test: no terraform binary on PATH; the plan-time guard is checked by synth only');
  }
  (haveTerraform ? test : test.skip)(
    'terraform validate passes and terraform plan stops with the message',
    () => {
      const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'state-guard-'));
      try {
        const app = new App({ outdir });
        const stack = new TerraformStack(app, 'fraud-prod');
        applyStateBackend(stack, 'fraud-prod', { kind: 'local' }, 'prod');
        app.synth();
        const dir = path.join(outdir, 'stacks', 'fraud-prod');
        // An empty provider mirror: nothing can be downloaded, and nothing needs to be.
        const mirror = path.join(outdir, 'empty-mirror');
        fs.mkdirSync(mirror);
        const cliConfig = path.join(outdir, 'cli.tfrc');
        fs.writeFileSync(
          cliConfig,
          `provider_installation {\n  filesystem_mirror {\n    path = "${mirror}"\n  }\n}\n`,
        );
        const env = {
          ...process.env,
          TF_CLI_CONFIG_FILE: cliConfig,
          CHECKPOINT_DISABLE: '1',
          TF_IN_AUTOMATION: '1',
          TF_DATA_DIR: path.join(outdir, '.terraform'),
        };
        const tf = (...args: string[]) =>
          spawnSync('terraform', [`-chdir=${dir}`, ...args, '-no-color'], { env, encoding: 'utf8' });
        const init = tf('init', '-input=false');
        expect(init.stderr).toBe('');
        expect(init.status).toBe(0);
        expect(tf('validate').status).toBe(0);
        const plan = tf('plan', '-input=false', '-lock=false');
        expect(plan.status).toBe(1);
        expect(plan.stderr).toMatch(/Resource precondition failed/);
        expect(plan.stderr.replace(/\s+/g, ' ')).toMatch(/fraud-prod would plan against LOCAL state/);
        expect(plan.stderr.replace(/\s+/g, ' ')).toMatch(/TF_STATE_ALLOW_LOCAL=1/);
      } finally {
        fs.rmSync(outdir, { recursive: true, force: true });
      }
    },
  );
});
