import { MachineLearningWorkspace } from '@cdktf/provider-azurerm/lib/machine-learning-workspace';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { Construct } from 'constructs';
import { AppInsights } from './app-insights';
import { ContainerRegistry } from './container-registry';
import { GrantableResource, managedIdentity } from '../core/grants';
import { KeyVault } from './key-vault';
import { MetricAggregation, MetricRef } from '../core/metric';
import { checkAzureName } from '../core/naming';
import { PlatformResourceProps, StatefulResourceProps } from '../core/platform-props';
import { SecureStorage } from './storage';

const NAMESPACE = 'Microsoft.MachineLearningServices/workspaces';

export interface MlWorkspaceProps extends PlatformResourceProps, StatefulResourceProps {
  readonly appInsights: AppInsights;
  readonly keyVault: KeyVault;
  readonly storage: SecureStorage;
  readonly containerRegistry: ContainerRegistry;
  /** @default true */
  readonly publicNetworkAccessEnabled?: boolean;
  /** @default - none */
  readonly description?: string;
}

/**
 * Azure ML workspace with a system-assigned identity, wired to App Insights, Key Vault,
 * storage and the container registry. The identity gets the data-plane roles Microsoft
 * documents for a workspace identity on RBAC resources: Storage Blob Data Contributor,
 * Key Vault Administrator (RBAC vault) and AcrPush (environment image builds).
 * Control-plane access is granted by the Azure ML service itself when the workspace is created.
 * Key Vault and storage cannot be swapped after creation.
 */
/** Roles that can be granted on the workspace. */
export type MlWorkspaceRole = 'AzureML Data Scientist';

export class MlWorkspace extends GrantableResource<MlWorkspaceRole> {
  public readonly resource: MachineLearningWorkspace;
  /** ARM id of the workspace (parent id of endpoints, models, environments, schedules). */
  public readonly workspaceId: string;
  public readonly workspaceName: string;
  public readonly location: string;
  public readonly resourceGroupName: string;
  /** Object id of the workspace's system-assigned identity. */
  public readonly principalId: string;
  /** The workspace's discovery URL (used by SDK/CLI clients). */
  public readonly discoveryUrl: string;
  /** Role assignments of the workspace identity, by target. */
  public readonly identityGrants: {
    readonly storage: RoleAssignment;
    readonly keyVault: RoleAssignment;
    readonly containerRegistry: RoleAssignment;
  };

  constructor(scope: Construct, id: string, props: MlWorkspaceProps) {
    super(scope, id);
    this.location = props.location ?? props.resourceGroup.location;
    this.resource = new MachineLearningWorkspace(this, 'Resource', {
      name: checkAzureName('mlWorkspace', 'ML workspace', props.name),
      resourceGroupName: props.resourceGroup.name,
      location: this.location,
      skuName: 'Basic',
      identity: { type: 'SystemAssigned' },
      applicationInsightsId: props.appInsights.appInsightsId,
      keyVaultId: props.keyVault.keyVaultId,
      storageAccountId: props.storage.storageAccountId,
      containerRegistryId: props.containerRegistry.registryId,
      publicNetworkAccessEnabled: props.publicNetworkAccessEnabled ?? true,
      highBusinessImpact: false,
      description: props.description,
      tags: props.tags,
      lifecycle: { preventDestroy: props.preventDestroy ?? true },
    });
    this.workspaceId = this.resource.id;
    this.workspaceName = this.resource.name;
    this.resourceGroupName = props.resourceGroup.name;
    this.principalId = this.resource.identity.principalId;
    this.discoveryUrl = this.resource.discoveryUrl;
    const identity = managedIdentity(this.principalId);
    this.identityGrants = {
      storage: props.storage.grant('WorkspaceBlobDataContributor', 'Storage Blob Data Contributor', identity),
      keyVault: props.keyVault.grant('WorkspaceKeyVaultAdministrator', 'Key Vault Administrator', identity),
      containerRegistry: props.containerRegistry.grant('WorkspaceAcrPush', 'AcrPush', identity),
    };
  }

  /** A workspace metric, e.g. `Model Deploy Failed` or `Active Nodes`. */
  public metric(name: string, aggregation: MetricAggregation = 'Total'): MetricRef {
    return { resourceId: this.workspaceId, namespace: NAMESPACE, name, aggregation };
  }

  /** Failed runs (jobs, incl. scheduled retraining). @default aggregation 'Total' */
  public metricFailedRuns(aggregation: MetricAggregation = 'Total'): MetricRef {
    return this.metric('Failed Runs', aggregation);
  }

  /** Roles granted through {@link grant} apply to this resource. */
  protected get grantScopeId(): string {
    return this.workspaceId;
  }
}
