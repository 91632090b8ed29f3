import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { Construct } from 'constructs';
import { AzapiResource, mlType } from '../azapi';
import { grantRole, PrincipalType } from '../core/grants';
import { checkAzureName } from '../core/naming';
import { StatefulResourceProps } from '../core/platform-props';

export const REGISTRY_TYPE = mlType('registries');

export type RegistryStorageReplication = 'LRS' | 'ZRS' | 'GRS' | 'RAGRS' | 'GZRS' | 'RAGZRS';

export interface ModelRegistryProps extends StatefulResourceProps {
  readonly resourceGroup: ResourceGroup;
  /** Registry name (3-33, letters, digits, `-`, `_`). */
  readonly name: string;
  /** Primary region (must be an Azure region name). */
  readonly location: string;
  /** Regions the registry replicates to, besides `location`. @default - none */
  readonly replicaLocations?: readonly string[];
  /** Redundancy of the system-created storage accounts. @default 'LRS' */
  readonly storageReplication?: RegistryStorageReplication;
  /** @default 'Enabled' */
  readonly publicNetworkAccess?: 'Enabled' | 'Disabled';
  /** @default - none (the tagging Aspect does not touch azapi resources) */
  readonly tags?: Record<string, string>;
}

/**
 * Azure ML registry (`Microsoft.MachineLearningServices/registries@2026-05-01`, through azapi:
 * azurerm has no registry resource). Model and environment versions in a registry are
 * immutable: a version, once created, cannot change its content, so new models get new
 * version names. The registry creates and manages its own Premium ACR and storage per region.
 */
export class ModelRegistry extends Construct {
  public readonly resource: AzapiResource;
  /** ARM id of the registry (parent id of `registries/models`, `.../versions`). */
  public readonly registryId: string;
  public readonly registryName: string;
  public readonly location: string;
  /** Object id of the registry's system-assigned identity. */
  public readonly principalId: string;
  /** Discovery URL, read from the API response. */
  public readonly discoveryUrl: string;
  /** MLflow tracking URI of the registry. */
  public readonly mlflowRegistryUri: string;

  constructor(scope: Construct, id: string, props: ModelRegistryProps) {
    super(scope, id);
    const name = checkAzureName('mlRegistry', 'ML registry', props.name);
    const regions = [props.location, ...(props.replicaLocations ?? [])];
    const duplicates = regions.filter((r, i) => regions.indexOf(r) !== i);
    if (duplicates.length > 0) {
      throw new Error(
        `ModelRegistry '${this.node.path}': replicaLocations must differ from location and each other, got duplicate(s) ${duplicates.join(', ')}`,
      );
    }
    const storageAccountType = `Standard_${props.storageReplication ?? 'LRS'}`;
    this.location = props.location;
    this.resource = new AzapiResource(this, 'Resource', {
      type: REGISTRY_TYPE,
      name,
      parentId: props.resourceGroup.id,
      location: props.location,
      identity: { type: 'SystemAssigned' },
      tags: props.tags,
      body: {
        properties: {
          publicNetworkAccess: props.publicNetworkAccess ?? 'Enabled',
          regionDetails: regions.map((location) => ({
            location,
            acrDetails: [{ systemCreatedAcrAccount: { acrAccountSku: 'Premium' } }],
            storageAccountDetails: [
              {
                systemCreatedStorageAccount: {
                  storageAccountType,
                  storageAccountHnsEnabled: false,
                  allowBlobPublicAccess: false,
                },
              },
            ],
          })),
        },
      },
      responseExportValues: ['properties.discoveryUrl', 'properties.mlFlowRegistryUri'],
      timeouts: { create: '60m', update: '60m', delete: '60m' },
      lifecycle: { preventDestroy: props.preventDestroy ?? true },
    });
    this.registryId = this.resource.id;
    this.registryName = name;
    this.principalId = this.resource.identityPrincipalId;
    this.discoveryUrl = this.resource.outputAttribute('properties.discoveryUrl');
    this.mlflowRegistryUri = this.resource.outputAttribute('properties.mlFlowRegistryUri');
  }

  /** ARM id of a model version in this registry. */
  public modelVersionId(model: string, version: string): string {
    return `${this.registryId}/models/${model}/versions/${version}`;
  }

  /** Asset URI of a model version, as deployments reference it. */
  public modelAssetUri(model: string, version: string): string {
    return `azureml://registries/${this.registryName}/models/${model}/versions/${version}`;
  }

  /** Read and use the registry's assets (`AzureML Registry User`), e.g. for a workspace or endpoint identity. */
  public grantUse(id: string, principalId: string, principalType?: PrincipalType | null): RoleAssignment {
    return grantRole(this, id, {
      scopeId: this.registryId,
      roleName: 'AzureML Registry User',
      principalId,
      principalType,
    });
  }
}
