import 'cdktf/lib/testing/adapters/jest';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { TerraformStack, Testing } from 'cdktf';
import { managedIdentity } from '../../../constructs/core/grants';
import { AzapiProvider, AzapiResource } from '../../../constructs/azapi';
import {
  ModelRegistry,
  ModelRegistryProps,
  REGISTRY_TYPE,
} from '../../../constructs/platform/model-registry';
import { validateSynthesizedAzapi } from '../../helpers/azapi-schema';

function build(extra: Partial<ModelRegistryProps> = {}) {
  const stack = new TerraformStack(Testing.app(), 'registry');
  new AzurermProvider(stack, 'azurerm', { features: [{}] });
  new AzapiProvider(stack, 'azapi');
  const resourceGroup = new ResourceGroup(stack, 'rg', { name: 'rg-fraud-dev', location: 'westeurope' });
  const registry = new ModelRegistry(stack, 'Registry', {
    resourceGroup,
    name: 'mlr-fraud-dev-abc123',
    location: 'westeurope',
    ...extra,
  });
  return { stack, registry };
}

type Body = { properties: { publicNetworkAccess: string; regionDetails: Array<Record<string, unknown>> } };
const registryJson = (stack: TerraformStack) =>
  Object.values(
    (
      JSON.parse(Testing.synth(stack)) as {
        resource: { azapi_resource: Record<string, Record<string, unknown>> };
      }
    ).resource.azapi_resource,
  )[0];

describe('ModelRegistry', () => {
  test('synthesizes a registries@2026-05-01 azapi resource that passes the schema', () => {
    const { stack } = build({ tags: { environment: 'dev' } });
    const json = Testing.synth(stack);
    expect(json).toHaveResourceWithProperties(AzapiResource, {
      type: REGISTRY_TYPE,
      name: 'mlr-fraud-dev-abc123',
      location: 'westeurope',
      identity: [{ type: 'SystemAssigned' }],
      parent_id: '${azurerm_resource_group.rg.id}',
      lifecycle: { prevent_destroy: true },
      response_export_values: ['properties.discoveryUrl', 'properties.mlFlowRegistryUri'],
    });
    expect(REGISTRY_TYPE).toBe('Microsoft.MachineLearningServices/registries@2026-05-01');
    expect(validateSynthesizedAzapi(json)).toEqual([]);
  });

  test('one region entry per location with system-created Premium ACR and private storage', () => {
    const { stack } = build({
      replicaLocations: ['northeurope'],
      storageReplication: 'ZRS',
      publicNetworkAccess: 'Disabled',
    });
    const body = registryJson(stack).body as Body;
    expect(body.properties.publicNetworkAccess).toBe('Disabled');
    expect(body.properties.regionDetails.map((r) => r.location)).toEqual(['westeurope', 'northeurope']);
    expect(body.properties.regionDetails[1]).toEqual({
      location: 'northeurope',
      acrDetails: [{ systemCreatedAcrAccount: { acrAccountSku: 'Premium' } }],
      storageAccountDetails: [
        {
          systemCreatedStorageAccount: {
            storageAccountType: 'Standard_ZRS',
            storageAccountHnsEnabled: false,
            allowBlobPublicAccess: false,
          },
        },
      ],
    });
    expect(validateSynthesizedAzapi(Testing.synth(stack))).toEqual([]);
  });

  test('exposes typed attributes, asset URIs and outputs read by path', () => {
    const { registry } = build();
    expect(registry.registryName).toBe('mlr-fraud-dev-abc123');
    expect(registry.location).toBe('westeurope');
    expect(registry.modelAssetUri('fraud', '3')).toBe(
      'azureml://registries/mlr-fraud-dev-abc123/models/fraud/versions/3',
    );
    expect(registry.modelVersionId('fraud', '3')).toMatch(/\/models\/fraud\/versions\/3$/);
    const { stack: s2, registry: r2 } = build();
    new AzapiResource(s2, 'probe', {
      type: REGISTRY_TYPE,
      name: 'probe-reg',
      parentId: 'p',
      location: 'westeurope',
      body: { properties: { discoveryUrl: r2.discoveryUrl, mlFlowRegistryUri: r2.mlflowRegistryUri } },
    });
    const probe = (
      JSON.parse(Testing.synth(s2)) as { resource: { azapi_resource: Record<string, { body: Body }> } }
    ).resource.azapi_resource.probe.body.properties as unknown as Record<string, string>;
    expect(probe.discoveryUrl).toMatch(
      /^\$\{azapi_resource\.Registry_[A-Z0-9]+\.output\.properties\.discoveryUrl\}$/,
    );
    expect(probe.mlFlowRegistryUri).toMatch(/\.output\.properties\.mlFlowRegistryUri\}$/);
  });

  test('grant assigns AzureML Registry User (or Reader) on the registry', () => {
    const { stack, registry } = build();
    registry.grant('EndpointUse', 'AzureML Registry User', managedIdentity('pid'));
    expect(Testing.synth(stack)).toHaveResourceWithProperties(RoleAssignment, {
      role_definition_name: 'AzureML Registry User',
      principal_id: 'pid',
      principal_type: 'ServicePrincipal',
    });
  });

  test.each<[Partial<ModelRegistryProps>, RegExp]>([
    [{ name: 'r' }, /ML registry name 'r' \(1 chars\) breaks the mlRegistry naming rule/],
    [
      { replicaLocations: ['westeurope'] },
      /replicaLocations must differ from location and each other, got duplicate\(s\) westeurope/,
    ],
    [{ replicaLocations: ['northeurope', 'northeurope'] }, /duplicate\(s\) northeurope/],
  ])('rejects %j', (extra, message) => {
    expect(() => build(extra)).toThrow(message);
  });
});
