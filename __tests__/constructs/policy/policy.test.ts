import { ContainerRegistry } from '@cdktf/provider-azurerm/lib/container-registry';
import { KeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
import { MachineLearningWorkspace } from '@cdktf/provider-azurerm/lib/machine-learning-workspace';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { StorageAccount, StorageAccountConfig } from '@cdktf/provider-azurerm/lib/storage-account';
import { Aspects, TerraformStack, Testing } from 'cdktf';
import {
  PolicyAspect,
  PolicyViolationError,
  requiredTagsRule,
  SECURITY_RULES,
  TagsAspect,
} from '../../../constructs/policy';

function stackWithPolicies(tags?: Record<string, string>) {
  const stack = new TerraformStack(Testing.app(), 'policy');
  new AzurermProvider(stack, 'azurerm', { features: [{}] });
  if (tags) Aspects.of(stack).add(new TagsAspect(tags));
  Aspects.of(stack).add(new PolicyAspect([...SECURITY_RULES, requiredTagsRule(['environment', 'owner'])]));
  return stack;
}

const TAGS = { environment: 'dev', owner: 'ml' };
const goodStorage: StorageAccountConfig = {
  name: 'stok',
  resourceGroupName: 'rg',
  location: 'westeurope',
  accountTier: 'Standard',
  accountReplicationType: 'LRS',
  minTlsVersion: 'TLS1_2',
  httpsTrafficOnlyEnabled: true,
  allowNestedItemsToBePublic: false,
};

describe('synth-time policies', () => {
  test('compliant resources synthesize, and the tagging aspect adds required tags', () => {
    const stack = stackWithPolicies(TAGS);
    new StorageAccount(stack, 'st', { ...goodStorage, tags: { environment: 'wrong', extra: 'kept' } });
    const json = JSON.parse(Testing.synth(stack)) as {
      resource: { azurerm_storage_account: { st: { tags: Record<string, string> } } };
    };
    expect(json.resource.azurerm_storage_account.st.tags).toEqual({
      environment: 'dev',
      owner: 'ml',
      extra: 'kept',
    });
  });

  test.each<[string, (s: TerraformStack) => void, RegExp]>([
    [
      'storage TLS 1.0',
      (s) => new StorageAccount(s, 'st', { ...goodStorage, minTlsVersion: 'TLS1_0' }),
      /policy 'storage-secure-transport-and-private-blobs' failed for policy\/st \(azurerm_storage_account\): min_tls_version is "TLS1_0", must be "TLS1_2"/,
    ],
    [
      'storage TLS unset',
      (s) => new StorageAccount(s, 'st', { ...goodStorage, minTlsVersion: undefined }),
      /min_tls_version is unset, must be "TLS1_2"/,
    ],
    [
      'storage public blobs',
      (s) => new StorageAccount(s, 'st', { ...goodStorage, allowNestedItemsToBePublic: undefined }),
      /allow_nested_items_to_be_public is unset, must be false/,
    ],
    [
      'storage http',
      (s) => new StorageAccount(s, 'st', { ...goodStorage, httpsTrafficOnlyEnabled: false }),
      /https_traffic_only_enabled is false, must be true/,
    ],
    [
      'key vault without RBAC or purge protection',
      (s) =>
        new KeyVault(s, 'kv', {
          name: 'kv',
          resourceGroupName: 'rg',
          location: 'westeurope',
          tenantId: 't',
          skuName: 'standard',
        }),
      /policy 'key-vault-rbac-and-purge-protection' failed for policy\/kv \(azurerm_key_vault\): rbac_authorization_enabled is unset, must be true; purge_protection_enabled is unset, must be true/,
    ],
    [
      'acr admin user',
      (s) =>
        new ContainerRegistry(s, 'acr', {
          name: 'acr1',
          resourceGroupName: 'rg',
          location: 'westeurope',
          sku: 'Basic',
          adminEnabled: true,
        }),
      /policy 'container-registry-no-admin-user' failed for policy\/acr \(azurerm_container_registry\): admin_enabled is true, must be false/,
    ],
    [
      'workspace without identity',
      (s) =>
        new MachineLearningWorkspace(s, 'ws', {
          name: 'w',
          resourceGroupName: 'rg',
          location: 'westeurope',
          applicationInsightsId: 'a',
          keyVaultId: 'k',
          storageAccountId: 's',
          identity: { type: 'None' },
        }),
      /policy 'ml-workspace-managed-identity' failed .*identity.type is "None"/,
    ],
  ])('fails synth for %s with a named message', (_label, build, message) => {
    const stack = stackWithPolicies(TAGS);
    build(stack);
    expect(() => Testing.synth(stack)).toThrow(message);
  });

  test('missing required tags fail synth when no tagging aspect runs', () => {
    const stack = stackWithPolicies();
    new ResourceGroup(stack, 'rg', { name: 'rg', location: 'westeurope', tags: { owner: 'x' } });
    let error: unknown;
    try {
      Testing.synth(stack);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PolicyViolationError);
    expect((error as PolicyViolationError).rule).toBe('required-tags');
    expect((error as Error).message).toMatch(
      /failed for policy\/rg \(azurerm_resource_group\): missing tag\(s\) environment/,
    );
  });
});
