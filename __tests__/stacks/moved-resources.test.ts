import { Testing } from 'cdktf';
import { ENVIRONMENTS } from '../../stacks/environments';
import { FraudStack } from '../../stacks/fraud-stack';
import { fixedBuildContext } from '../constructs/serving/build-context-fixture';
import { testRollout } from '../helpers/test-rollouts';

/**
 * GIVEN the platform resources moved from the stack root into the `Platform` construct
 * WHEN the stack is synthesized
 * THEN each of them carries a `moved` block from the address it had before, so an environment that
 * was already deployed keeps its workspace, Key Vault and storage instead of re-creating them.
 */
describe('FraudStack keeps the state addresses of resources moved under Platform', () => {
  const stack = new FraudStack(Testing.app(), 'fraud-dev', {
    envName: 'dev',
    env: ENVIRONMENTS.dev,
    writeBuildContext: fixedBuildContext,
    rollout: testRollout('dev'),
  });
  const json = JSON.parse(Testing.synth(stack)) as {
    moved?: { from: string; to: string }[];
    resource: Record<string, Record<string, unknown>>;
  };
  const moved = new Map((json.moved ?? []).map((m) => [m.to, m.from]));

  test.each([
    // Addresses as synthesized before the Platform construct existed (commit 38451e1).
    ['azurerm_resource_group', 'ResourceGroup'],
    ['azurerm_key_vault', 'KeyVault_EBBC7C6F'],
    ['azurerm_storage_account', 'Storage_07F31EBC'],
    ['azurerm_machine_learning_workspace', 'Workspace_2F8C78CC'],
    ['azurerm_log_analytics_workspace', 'LogAnalytics_675DAA21'],
    ['azurerm_container_registry', 'ContainerRegistry_CFC12DA8'],
  ])('%s keeps %s', (type, oldId) => {
    const to = Object.keys(json.resource[type] ?? {}).map((id) => `${type}.${id}`);
    expect(to).toHaveLength(1);
    expect(moved.get(to[0])).toBe(`${type}.${oldId}`);
  });

  test('every resource under Platform has exactly one moved block, and nothing else does', () => {
    const platformAddresses = Object.entries(json.resource).flatMap(([type, byId]) =>
      Object.keys(byId)
        .filter((id) => id.startsWith('Platform_'))
        .map((id) => `${type}.${id}`),
    );
    expect(platformAddresses.length).toBeGreaterThan(10);
    expect([...moved.keys()].sort()).toEqual(platformAddresses.sort());
  });
});
