import { Testing } from 'cdktf';
import { resourceName, runNamesCli } from '../../scripts/names';
import { ENVIRONMENTS } from '../../stacks/environments';
import { FraudStack } from '../../stacks/fraud-stack';
import { fixedBuildContext } from '../constructs/serving/build-context-fixture';
import { testRollout } from '../helpers/test-rollouts';

describe('npm run names', () => {
  test('prints the names synth gives the resources', () => {
    const stack = new FraudStack(Testing.app(), 'fraud-dev', {
      envName: 'dev',
      env: ENVIRONMENTS.dev,
      writeBuildContext: fixedBuildContext,
      rollout: testRollout('dev'),
    });
    const json = Testing.synth(stack);
    expect(json).toContain(`"name": "${resourceName('workspace', 'dev')}"`);
    expect(json).toContain(`"name": "${resourceName('resource-group', 'dev')}"`);
    expect(json).toContain(`"name": "${resourceName('endpoint', 'dev')}"`);
    // The environment stacks find the shared registry by this name.
    expect(json).toContain(resourceName('registry'));
  });

  test('CLI: usage errors exit 2 with the reason', () => {
    const err: string[] = [];
    expect(
      runNamesCli(
        ['workspace'],
        () => {},
        (s) => err.push(s),
      ),
    ).toBe(2);
    expect(err[0]).toMatch(/'workspace' needs --env, one of dev, staging, prod; got null/);
    expect(
      runNamesCli(
        ['vault', '--env', 'dev'],
        () => {},
        () => {},
      ),
    ).toBe(2);
    const out: string[] = [];
    expect(
      runNamesCli(
        ['registry'],
        (s) => out.push(s),
        () => {},
      ),
    ).toBe(0);
    expect(out[0]).toMatch(/^[a-z0-9-]+$/);
  });
});
