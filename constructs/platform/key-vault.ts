import { KeyVault as AzKeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
import { Construct } from 'constructs';
import { GrantableResource } from '../core/grants';
import { MetricAggregation, MetricRef } from '../core/metric';
import { checkAzureName } from '../core/naming';
import { PlatformResourceProps, StatefulResourceProps } from '../core/platform-props';

const NAMESPACE = 'Microsoft.KeyVault/vaults';

export interface KeyVaultProps extends PlatformResourceProps, StatefulResourceProps {
  /** Entra tenant id (from `DataAzurermClientConfig`). */
  readonly tenantId: string;
  /** @default 'standard' */
  readonly sku?: 'standard' | 'premium';
  /** Soft-delete retention, 7-90 days; fixed once the vault exists. @default 90 */
  readonly softDeleteRetentionDays?: number;
  /** @default true */
  readonly publicNetworkAccessEnabled?: boolean;
}

/**
 * Key Vault with RBAC authorization (no access policies), purge protection and soft delete.
 * Purge protection means a deleted vault's name stays reserved for the retention period:
 * change the environment's `salt` to get a new name.
 */
/**
 * Roles that can be granted on the vault (RBAC data plane): read secret values, manage secrets
 * (e.g. the deployer writing endpoint keys), or all data-plane operations (the ML workspace).
 */
export type KeyVaultRole = 'Key Vault Secrets User' | 'Key Vault Secrets Officer' | 'Key Vault Administrator';

export class KeyVault extends GrantableResource<KeyVaultRole> {
  public readonly resource: AzKeyVault;
  public readonly keyVaultId: string;
  public readonly keyVaultName: string;
  /** `https://<name>.vault.azure.net/` */
  public readonly vaultUri: string;

  constructor(scope: Construct, id: string, props: KeyVaultProps) {
    super(scope, id);
    const days = props.softDeleteRetentionDays ?? 90;
    if (!Number.isInteger(days) || days < 7 || days > 90) {
      throw new Error(
        `KeyVault '${this.node.path}': softDeleteRetentionDays must be an integer from 7 to 90, got ${days}`,
      );
    }
    this.resource = new AzKeyVault(this, 'Resource', {
      name: checkAzureName('keyVault', 'Key Vault', props.name),
      resourceGroupName: props.resourceGroup.name,
      location: props.location ?? props.resourceGroup.location,
      tenantId: props.tenantId,
      skuName: props.sku ?? 'standard',
      rbacAuthorizationEnabled: true,
      purgeProtectionEnabled: true,
      softDeleteRetentionDays: days,
      publicNetworkAccessEnabled: props.publicNetworkAccessEnabled ?? true,
      tags: props.tags,
      lifecycle: { preventDestroy: props.preventDestroy ?? true },
    });
    this.keyVaultId = this.resource.id;
    this.keyVaultName = this.resource.name;
    this.vaultUri = this.resource.vaultUri;
  }

  /** Vault availability in percent. @default aggregation 'Average' */
  public metricAvailability(aggregation: MetricAggregation = 'Average'): MetricRef {
    return { resourceId: this.keyVaultId, namespace: NAMESPACE, name: 'Availability', aggregation };
  }

  /** Service API latency in ms. @default aggregation 'Average' */
  public metricApiLatency(aggregation: MetricAggregation = 'Average'): MetricRef {
    return { resourceId: this.keyVaultId, namespace: NAMESPACE, name: 'ServiceApiLatency', aggregation };
  }

  /** Roles granted through {@link grant} apply to this resource. */
  protected get grantScopeId(): string {
    return this.keyVaultId;
  }
}
