import { KeyVault as AzKeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { Construct } from 'constructs';
import { grantRole, PrincipalType } from '../core/grants';
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
export class KeyVault extends Construct {
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

  /** Read secret values (`Key Vault Secrets User`). */
  public grantSecretsRead(
    id: string,
    principalId: string,
    principalType?: PrincipalType | null,
  ): RoleAssignment {
    return grantRole(this, id, {
      scopeId: this.keyVaultId,
      roleName: 'Key Vault Secrets User',
      principalId,
      principalType,
    });
  }

  /** Create, update and delete secrets (`Key Vault Secrets Officer`), e.g. endpoint keys. */
  public grantSecretsWrite(
    id: string,
    principalId: string,
    principalType?: PrincipalType | null,
  ): RoleAssignment {
    return grantRole(this, id, {
      scopeId: this.keyVaultId,
      roleName: 'Key Vault Secrets Officer',
      principalId,
      principalType,
    });
  }

  /** All data-plane operations (`Key Vault Administrator`); what the ML workspace identity needs. */
  public grantAdministrator(
    id: string,
    principalId: string,
    principalType?: PrincipalType | null,
  ): RoleAssignment {
    return grantRole(this, id, {
      scopeId: this.keyVaultId,
      roleName: 'Key Vault Administrator',
      principalId,
      principalType,
    });
  }
}
