import { ContainerRegistry as AzContainerRegistry } from '@cdktf/provider-azurerm/lib/container-registry';
import { Construct } from 'constructs';
import { GrantableResource } from '../core/grants';
import { MetricAggregation, MetricRef } from '../core/metric';
import { checkAzureName } from '../core/naming';
import { PlatformResourceProps } from '../core/platform-props';

const NAMESPACE = 'Microsoft.ContainerRegistry/registries';

export interface ContainerRegistryProps extends PlatformResourceProps {
  /** @default 'Basic' */
  readonly sku?: 'Basic' | 'Standard' | 'Premium';
  /** Public network access; `false` needs Premium. @default true */
  readonly publicNetworkAccessEnabled?: boolean;
}

/**
 * Azure Container Registry with the admin user off and anonymous pull off: images are pulled
 * with managed identities (`grantPull`).
 */
/** Roles that can be granted on the container registry. */
export type ContainerRegistryRole = 'AcrPull' | 'AcrPush';

export class ContainerRegistry extends GrantableResource<ContainerRegistryRole> {
  public readonly resource: AzContainerRegistry;
  public readonly registryId: string;
  public readonly registryName: string;
  /** `<name>.azurecr.io` */
  public readonly loginServer: string;

  constructor(scope: Construct, id: string, props: ContainerRegistryProps) {
    super(scope, id);
    const sku = props.sku ?? 'Basic';
    const publicAccess = props.publicNetworkAccessEnabled ?? true;
    if (!publicAccess && sku !== 'Premium') {
      throw new Error(
        `ContainerRegistry '${this.node.path}': sku '${sku}' cannot disable public network access; use 'Premium'`,
      );
    }
    this.resource = new AzContainerRegistry(this, 'Resource', {
      name: checkAzureName('containerRegistry', 'container registry', props.name),
      resourceGroupName: props.resourceGroup.name,
      location: props.location ?? props.resourceGroup.location,
      sku,
      adminEnabled: false,
      anonymousPullEnabled: false,
      publicNetworkAccessEnabled: publicAccess,
      tags: props.tags,
    });
    this.registryId = this.resource.id;
    this.registryName = this.resource.name;
    this.loginServer = this.resource.loginServer;
  }

  /** Successful image pulls. @default aggregation 'Total' */
  public metricSuccessfulPulls(aggregation: MetricAggregation = 'Total'): MetricRef {
    return { resourceId: this.registryId, namespace: NAMESPACE, name: 'SuccessfulPullCount', aggregation };
  }

  /** Storage used in bytes. @default aggregation 'Average' */
  public metricStorageUsed(aggregation: MetricAggregation = 'Average'): MetricRef {
    return { resourceId: this.registryId, namespace: NAMESPACE, name: 'StorageUsed', aggregation };
  }

  /** Roles granted through {@link grant} apply to this resource. */
  protected get grantScopeId(): string {
    return this.registryId;
  }
}
