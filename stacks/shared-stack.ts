/**
 * `fraud-shared`: what every environment shares, deployed before them (README, "Deploy order").
 *
 * Today that is the one Azure ML registry every environment deploys models from: a version is
 * trained once, registered once (`npm run register`) and promoted by using the same
 * `name:version` in the next environment's rollout. The registry replicates to the regions in
 * `SHARED.registry` so deployments pull from a copy near them.
 *
 * Roles granted here (least privilege, each for one job):
 * - `SHARED.registryPublishers` (e.g. the retrain workflow): `AzureML Registry User`, to create
 *   model versions;
 * - `SHARED.environmentDeployers` (when environment deployers are not subscription Owners):
 *   `Reader` for the plan-time look-ups, and the right to assign `AzureML Registry User` on the
 *   registry and no other role, which is what the environment stacks do for their workspace
 *   and endpoint identities (stacks/fraud-stack.ts).
 *
 * Environment stacks find the registry by its deterministic name ({@link sharedRegistryName},
 * computed from the same typed settings) with a plan-time data source; no id is ever copied.
 */
import { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config';
import { DataAzurermRoleDefinition } from '@cdktf/provider-azurerm/lib/data-azurerm-role-definition';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { Aspects, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AzapiProvider } from '../constructs/azapi';
import { platformNames } from '../constructs/core/naming';
import { grantRole } from '../constructs/core/grants';
import { ModelRegistry } from '../constructs/platform/model-registry';
import { PolicyAspect, requiredTagsRule, SECURITY_RULES, TagsAspect } from '../constructs/policy';
import { applyStateBackend, StateBackend } from './backend';
import { SHARED, SharedConfig } from './environments';

/** The stack every environment depends on. */
export const SHARED_STACK_NAME = 'fraud-shared';

/** Names of the shared resources, deterministic from the settings (the same in every stack). */
export function sharedNames(shared: SharedConfig): { resourceGroup: string; modelRegistry: string } {
  const names = platformNames({ project: shared.namePrefix, env: 'shared', salt: shared.salt });
  return { resourceGroup: names.resourceGroup, modelRegistry: names.modelRegistry };
}

/** The shared registry's name, e.g. `mlr-fraud-shared-<hash>`. */
export const sharedRegistryName = (shared: SharedConfig = SHARED): string =>
  sharedNames(shared).modelRegistry;

export interface SharedStackProps {
  /** @default SHARED from stacks/environments.ts */
  readonly shared?: SharedConfig;
  /** @default { kind: 'local' } */
  readonly backend?: StateBackend;
}

export class SharedStack extends TerraformStack {
  public readonly shared: SharedConfig;
  public readonly tags: Readonly<Record<string, string>>;
  public readonly resourceGroup: ResourceGroup;
  public readonly modelRegistry: ModelRegistry;

  constructor(scope: Construct, id: string, props: SharedStackProps = {}) {
    super(scope, id);
    // Checked once, with every environment, by stacks/configuration.ts (buildApp).
    const shared: SharedConfig = props.shared ?? SHARED;
    this.shared = shared;
    const names = sharedNames(shared);
    this.tags = {
      environment: shared.tags.environment,
      owner: shared.tags.owner,
      costCentre: shared.tags.costCentre,
      project: shared.namePrefix,
      managedBy: 'cdktf',
    };
    applyStateBackend(this, id, props.backend ?? { kind: 'local' });
    new AzurermProvider(this, 'azurerm', {
      features: [{ resourceGroup: [{ preventDeletionIfContainsResources: true }] }],
    });
    new AzapiProvider(this, 'azapi');
    const client = new DataAzurermClientConfig(this, 'ClientConfig', {});

    this.resourceGroup = new ResourceGroup(this, 'ResourceGroup', {
      name: names.resourceGroup,
      location: shared.location,
    });
    this.modelRegistry = new ModelRegistry(this, 'ModelRegistry', {
      resourceGroup: this.resourceGroup,
      name: names.modelRegistry,
      location: shared.location,
      replicaLocations: shared.registry?.replicaLocations,
      storageReplication: shared.registry?.storageReplication,
      publicNetworkAccess: shared.publicNetworkAccess,
      tags: { ...this.tags },
      preventDestroy: shared.protectStatefulResources ?? true,
    });

    // Publishers create model versions (npm run register).
    const publishers = new Construct(this, 'Publishers');
    for (const p of shared.registryPublishers ?? []) {
      grantRole(publishers, p.name, {
        scopeId: this.modelRegistry.registryId,
        roleName: 'AzureML Registry User',
        grantee: { principalId: p.objectId, principalType: p.principalType ?? 'ServicePrincipal' },
        description: `${p.name}: registers model versions`,
      });
    }
    // Environment deployers read the registry at plan and grant their identities its use.
    const deployers = shared.environmentDeployers ?? [];
    if (deployers.length > 0) {
      const registryUser = new DataAzurermRoleDefinition(this, 'RegistryUserRole', {
        name: 'AzureML Registry User',
        scope: `/subscriptions/${client.subscriptionId}`,
      });
      // Ids come from the settings' fixed names (never from object ids, which may be tokens).
      for (const d of deployers) {
        const deployer = {
          principalId: d.objectId,
          principalType: d.principalType ?? 'ServicePrincipal',
        } as const;
        this.modelRegistry.grant(`Deployer-${d.name}-Read`, 'Reader', deployer);
        this.modelRegistry.grantAssignUse(
          `Deployer-${d.name}-AssignUse`,
          deployer,
          registryUser.roleDefinitionId,
        );
      }
    }

    Aspects.of(this).add(new TagsAspect(this.tags));
    Aspects.of(this).add(
      new PolicyAspect([...SECURITY_RULES, requiredTagsRule(['environment', 'owner', 'costCentre'])]),
    );
    new TerraformOutput(this, 'resource_group_name', { value: this.resourceGroup.name });
    new TerraformOutput(this, 'model_registry_name', { value: this.modelRegistry.registryName });
    new TerraformOutput(this, 'model_registry_id', { value: this.modelRegistry.registryId });
    new TerraformOutput(this, 'model_registry_discovery_url', { value: this.modelRegistry.discoveryUrl });
  }
}
