import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildApp } from '../../stacks/app';
import { ConfigurationError } from '../../stacks/configuration';
import { ENVIRONMENTS } from '../../stacks/environments';
import { TEST_ROLLOUTS } from '../helpers/test-rollouts';

describe('buildApp', () => {
  test('one stack per environment, synthesized into the outdir', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'fraud-synth-'));
    try {
      const { app, stacks } = buildApp({ outdir, rollout: TEST_ROLLOUTS });
      expect(stacks.map((s) => s.node.id)).toEqual(['fraud-dev', 'fraud-staging', 'fraud-prod']);
      app.synth();
      for (const name of ['fraud-shared', 'fraud-dev', 'fraud-staging', 'fraud-prod']) {
        expect(fs.existsSync(path.join(outdir, 'stacks', name, 'cdk.tf.json'))).toBe(true);
      }
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  test('invalid settings fail before any stack is built, listing every problem', () => {
    expect(() =>
      buildApp({
        rollout: TEST_ROLLOUTS,
        environments: {
          ...ENVIRONMENTS,
          dev: { ...ENVIRONMENTS.dev, namePrefix: 'X', logRetentionDays: 3, location: 'West Europe' },
          prod: { ...ENVIRONMENTS.prod, storageReplication: 'LRS' },
        },
      }),
    ).toThrow(
      /4 problem\(s\)[\s\S]*dev.location = "West Europe"[\s\S]*dev.namePrefix = "X"[\s\S]*dev.logRetentionDays = 3[\s\S]*prod.storageReplication = "LRS"/,
    );
  });

  test('an environment deleted from the rollout is a clean ConfigurationError, not a TypeError', () => {
    const { prod: _prod, ...withoutProd } = TEST_ROLLOUTS;
    let error: unknown;
    try {
      buildApp({ rollout: withoutProd });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toMatch(/stacks\/rollout\.ts:\n {2}- prod: missing from ROLLOUT/);
  });
});
