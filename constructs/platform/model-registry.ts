import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { Construct } from 'constructs';
import { AzapiResource, DataAzapiResource, mlType } from '../azapi';
import { Grantee, GrantableResource, grantRole, IGrantable } from '../core/grants';
import { checkAzureName } from '../core/naming';
import { StatefulResourceProps } from '../core/platform-props';

export const REGISTRY_TYPE = mlType('registries');

/**
 * Roles that can be granted on a registry: use its assets (`AzureML Registry User`, for workspace,
 * endpoint and job identities) or read it (`Reader`, for deployers' plan-time look-ups).
 */
export type ModelRegistryRole = 'AzureML Registry User' | 'Reader';

/** What deployments, jobs and grants need from a registry: the one they create or one they look up. */
export interface IModelRegistry extends IGrantable<ModelRegistryRole> {
  /** ARM id of the registry (a Terraform reference). */
  readonly registryId: string;
  readonly registryName: string;
  /** Asset URI of a model version, as deployments reference it. */
  modelAssetUri(model: string, version: string): string;
}

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
export class ModelRegistry extends GrantableResource<ModelRegistryRole> implements IModelRegistry {
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

  /** Roles granted through {@link grant} apply to this registry. */
  protected get grantScopeId(): string {
    return this.registryId;
  }

  /**
   * Assign `AzureML Registry User` on this registry to others, and nothing else: `Role Based
   * Access Control Administrator` with a condition that limits writes and deletes of role
   * assignments to that one role (Azure RBAC "delegate role assignment management with
   * conditions", condition version 2.0). An environment's deployer needs exactly this to grant
   * its workspace and endpoint identities use of the shared registry.
   * UNVERIFIED against a live tenant: the condition text follows the documented example; if
   * Azure rejects it, the apply of fraud-shared fails (nothing is granted more widely).
   * @param registryUserRoleGuid GUID of `AzureML Registry User` (e.g. `data.azurerm_role_definition.role_definition_id`)
   */
  public grantAssignUse(id: string, grantee: Grantee, registryUserRoleGuid: string): RoleAssignment {
    const only = (source: '@Request' | '@Resource', action: 'write' | 'delete'): string =>
      `((!(ActionMatches{'Microsoft.Authorization/roleAssignments/${action}'})) OR ` +
      `(${source}[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${registryUserRoleGuid}}))`;
    const assignment = grantRole(this, id, {
      scopeId: this.registryId,
      roleName: 'Role Based Access Control Administrator',
      grantee,
      description: 'may assign only AzureML Registry User on this registry',
    });
    assignment.condition = `${only('@Request', 'write')} AND ${only('@Resource', 'delete')}`;
    assignment.conditionVersion = '2.0';
    return assignment;
  }
}

export interface ExistingModelRegistryProps {
  /** The registry's name (deterministic, from the shared settings). */
  readonly name: string;
  /** ARM id of the registry's resource group (built from settings, or a reference). */
  readonly resourceGroupId: string;
  /** Shown when the registry is missing, e.g. `deploy fraud-shared first: npx cdktf deploy fraud-shared`. */
  readonly missingHint: string;
}

/**
 * A registry another stack owns (the `fraud-shared` stack), found by name at plan time through
 * `data "azapi_resource"`. A missing registry fails `plan` with {@link ExistingModelRegistryProps.missingHint}
 * instead of a bare 404; every id this construct hands out is a reference to the data source.
 */
export class ExistingModelRegistry extends GrantableResource<ModelRegistryRole> implements IModelRegistry {
  public readonly lookup: DataAzapiResource;
  public readonly registryId: string;
  public readonly registryName: string;

  constructor(scope: Construct, id: string, props: ExistingModelRegistryProps) {
    super(scope, id);
    this.registryName = checkAzureName('mlRegistry', 'ML registry', props.name);
    this.lookup = new DataAzapiResource(this, 'Lookup', {
      type: REGISTRY_TYPE,
      name: this.registryName,
      parentId: props.resourceGroupId,
      ignoreNotFound: true,
      lifecycle: {
        postcondition: [
          {
            condition: '${self.exists}',
            errorMessage: `The shared model registry '${this.registryName}' was not found: ${props.missingHint}`,
          },
        ],
      },
    });
    this.registryId = this.lookup.id;
  }

  public modelAssetUri(model: string, version: string): string {
    return `azureml://registries/${this.lookup.nameAttribute}/models/${model}/versions/${version}`;
  }

  /** Roles granted through {@link grant} apply to the looked-up registry. */
  protected get grantScopeId(): string {
    return this.registryId;
  }
}
