import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  ConfigurationError,
  configurationProblems,
  rolloutRuleProblems,
  validateConfiguration,
} from '../../stacks/configuration';
import { ENVIRONMENTS } from '../../stacks/environments';
import { ROLLOUT } from '../../stacks/rollout';
import { TEST_ROLLOUTS } from '../helpers/test-rollouts';

const root = path.resolve(__dirname, '../..');

describe('the committed constants', () => {
  // The live rollout is checked by the rules, never by a snapshot: any valid operator edit passes.
  test('stacks/environments.ts and stacks/rollout.ts pass every rule', () => {
    expect(configurationProblems(ENVIRONMENTS, ROLLOUT)).toEqual({});
  });
});

describe('validateConfiguration', () => {
  test('one error for every environment, grouped by the file to edit, without duplicates', () => {
    const rollout = {
      dev: { ...TEST_ROLLOUTS.dev, traffic: { blue: 0 } },
      prod: {
        ...TEST_ROLLOUTS.prod,
        deployments: {
          blue: { model: 'fraud-detection-model:1', instanceType: 'Standard_D3S_v2', instanceCount: 1 },
        },
      },
    };
    const environments = { ...ENVIRONMENTS, staging: { ...ENVIRONMENTS.staging, logRetentionDays: 3 } };
    let error: unknown;
    try {
      validateConfiguration(environments, rollout);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    const message = (error as Error).message;
    expect(message.split('\n')).toEqual([
      'invalid configuration, 5 problem(s); nothing was synthesized:',
      'stacks/environments.ts:',
      '  - staging.logRetentionDays = 3: must be an integer from 30 to 730 (Log Analytics PerGB2018)',
      'stacks/rollout.ts:',
      '  - staging: missing from ROLLOUT; every environment needs an entry (its deployments and traffic)',
      '  - dev: traffic must sum to 100, got 0 (blue 0); a total of 0 takes the endpoint offline, allowed only for an endpoint marked notLiveYet: true',
      `  - prod: deployment 'blue': instanceType "Standard_D3S_v2" is not a managed online endpoint VM size on Azure's documented list (constructs/serving/managed-online-skus.ts) (similar: Standard_DS1_v2, Standard_DS2_v2, Standard_DS3_v2)`,
      "  - prod: deployment 'blue': instanceCount 1 must lie within prod.serving.autoscale 2..10 (it is the starting count autoscale works from)",
    ]);
  });

  test('the rollout rules include the cross-checks with the serving settings', () => {
    const rollout = {
      ...TEST_ROLLOUTS,
      dev: {
        ...TEST_ROLLOUTS.dev,
        deployments: { blue: { ...TEST_ROLLOUTS.dev.deployments.blue, instanceCount: 3 } },
      },
    };
    expect(rolloutRuleProblems(rollout, ENVIRONMENTS)).toEqual([
      "dev: deployment 'blue': instanceCount 3 must lie within dev.serving.autoscale 1..2 (it is the starting count autoscale works from)",
    ]);
    const env = {
      ...ENVIRONMENTS,
      dev: { ...ENVIRONMENTS.dev, serving: { localModelPackages: { red: 'models/x' } } },
    };
    expect(rolloutRuleProblems(TEST_ROLLOUTS, env)).toEqual([
      'dev.serving.localModelPackages.red: names a deployment that stacks/rollout.ts does not declare',
    ]);
    expect(rolloutRuleProblems('nope', ENVIRONMENTS)).toEqual([
      'rollout must be an object of environment -> rollout, got "nope"',
    ]);
  });

  test('returns the rollout when everything holds', () => {
    expect(validateConfiguration(ENVIRONMENTS, TEST_ROLLOUTS)).toBe(TEST_ROLLOUTS);
  });
});

describe('main.ts with a broken rollout (a copy of the project files that matter)', () => {
  // The app runs as `npm run synth` runs it; the copy's stacks/rollout.ts lacks prod.
  test('prints one clean message naming stacks/rollout.ts, no stack trace, and exits 1', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-error-'));
    try {
      // stacks/ and main.ts are copied (rollout.ts is edited); everything else is linked.
      fs.cpSync(path.join(root, 'stacks'), path.join(dir, 'stacks'), { recursive: true });
      fs.copyFileSync(path.join(root, 'main.ts'), path.join(dir, 'main.ts'));
      for (const entry of fs.readdirSync(root)) {
        if (['stacks', 'main.ts', '.git', 'cdktf.out'].includes(entry)) continue;
        fs.symlinkSync(path.join(root, entry), path.join(dir, entry));
      }
      const file = path.join(dir, 'stacks/rollout.ts');
      const source = fs.readFileSync(file, 'utf8');
      const cut = source.replace(/\n {2}prod: \{[\s\S]*?\n {2}\},\n/, '\n');
      expect(cut).not.toBe(source);
      fs.writeFileSync(file, cut.replace('satisfies Record<EnvName, EnvironmentRollout>', ''));
      const run = spawnSync(process.execPath, ['-r', './scripts/register-ts.cjs', 'main.ts'], {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, CDKTF_OUTDIR: path.join(dir, 'out') },
      });
      expect(run.status).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toBe(
        'invalid configuration, 1 problem(s); nothing was synthesized:\n' +
          'stacks/rollout.ts:\n' +
          '  - prod: missing from ROLLOUT; every environment needs an entry (its deployments and traffic)\n',
      );
      expect(fs.existsSync(path.join(dir, 'out'))).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
