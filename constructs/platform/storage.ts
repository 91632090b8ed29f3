import { StorageAccount as AzStorageAccount } from '@cdktf/provider-azurerm/lib/storage-account';
import { StorageContainer } from '@cdktf/provider-azurerm/lib/storage-container';
import { Construct } from 'constructs';
import { GrantableResource } from '../core/grants';
import { MetricAggregation, MetricRef } from '../core/metric';
import { checkAzureName } from '../core/naming';
import { PlatformResourceProps, StatefulResourceProps } from '../core/platform-props';

const NAMESPACE = 'Microsoft.Storage/storageAccounts';
const CONTAINER_NAME = /^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

export interface SecureStorageProps extends PlatformResourceProps, StatefulResourceProps {
  /** @default 'LRS' */
  readonly replication?: 'LRS' | 'ZRS' | 'GRS' | 'RAGRS' | 'GZRS' | 'RAGZRS';
  /** Blob and container soft-delete retention, 1-365 days. @default 7 */
  readonly softDeleteDays?: number;
  /** @default true */
  readonly publicNetworkAccessEnabled?: boolean;
  /**
   * Shared-key (account key / SAS) access. Default ON for the Azure ML workspace account:
   * azurerm 4.55's `azurerm_machine_learning_workspace` cannot set the workspace's
   * `systemDatastoresAuthMode = identity`, so the default datastores (`workspaceblobstore`,
   * `workspacefilestore`) are created with the account key and break when shared keys are
   * off. Entra ID is still the default for the portal (`default_to_oauth_authentication`).
   * Turn it off for accounts Azure ML does not use as its default storage.
   * @default true
   */
  readonly sharedAccessKeyEnabled?: boolean;
}

/**
 * Storage account with the secure baseline: TLS 1.2 minimum, HTTPS only, no public blob
 * access, no cross-tenant replication, infrastructure encryption, blob versioning, blob and
 * container soft delete, change feed. Replication comes from the environment (geo-redundant
 * in prod).
 */
/** Roles that can be granted on the storage account (blob data plane). */
export type StorageRole = 'Storage Blob Data Reader' | 'Storage Blob Data Contributor';

export class SecureStorage extends GrantableResource<StorageRole> {
  public readonly resource: AzStorageAccount;
  public readonly storageAccountId: string;
  public readonly storageAccountName: string;
  /** `https://<name>.blob.core.windows.net/` */
  public readonly primaryBlobEndpoint: string;
  /** ARM id of the blob service (target for blob diagnostic logs). */
  public readonly blobServiceId: string;

  constructor(scope: Construct, id: string, props: SecureStorageProps) {
    super(scope, id);
    const days = props.softDeleteDays ?? 7;
    if (!Number.isInteger(days) || days < 1 || days > 365) {
      throw new Error(
        `SecureStorage '${this.node.path}': softDeleteDays must be an integer from 1 to 365, got ${days}`,
      );
    }
    this.resource = new AzStorageAccount(this, 'Resource', {
      name: checkAzureName('storageAccount', 'storage account', props.name),
      resourceGroupName: props.resourceGroup.name,
      location: props.location ?? props.resourceGroup.location,
      accountKind: 'StorageV2',
      accountTier: 'Standard',
      accountReplicationType: props.replication ?? 'LRS',
      minTlsVersion: 'TLS1_2',
      httpsTrafficOnlyEnabled: true,
      allowNestedItemsToBePublic: false,
      sharedAccessKeyEnabled: props.sharedAccessKeyEnabled ?? true,
      defaultToOauthAuthentication: true,
      crossTenantReplicationEnabled: false,
      infrastructureEncryptionEnabled: true,
      publicNetworkAccessEnabled: props.publicNetworkAccessEnabled ?? true,
      blobProperties: {
        versioningEnabled: true,
        changeFeedEnabled: true,
        deleteRetentionPolicy: { days },
        containerDeleteRetentionPolicy: { days },
      },
      tags: props.tags,
      lifecycle: { preventDestroy: props.preventDestroy ?? true },
    });
    this.storageAccountId = this.resource.id;
    this.storageAccountName = this.resource.name;
    this.primaryBlobEndpoint = this.resource.primaryBlobEndpoint;
    this.blobServiceId = `${this.resource.id}/blobServices/default`;
  }

  /**
   * A private blob container (created through the ARM control plane, so no data-plane
   * credentials are needed to plan or apply it).
   */
  public addContainer(id: string, name: string): StorageContainer {
    if (!CONTAINER_NAME.test(name)) {
      throw new Error(
        `storage container name '${name}' breaks the rule: 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit`,
      );
    }
    return new StorageContainer(this, id, {
      name,
      storageAccountId: this.storageAccountId,
      containerAccessType: 'private',
    });
  }

  /** Blob URL of a container (folder) in this account, e.g. for a build context. */
  public blobUrl(container: string, blobPath = ''): string {
    return `${this.primaryBlobEndpoint}${container}/${blobPath}`;
  }

  /** Account availability in percent. @default aggregation 'Average' */
  public metricAvailability(aggregation: MetricAggregation = 'Average'): MetricRef {
    return { resourceId: this.storageAccountId, namespace: NAMESPACE, name: 'Availability', aggregation };
  }

  /** Transactions. @default aggregation 'Total' */
  public metricTransactions(aggregation: MetricAggregation = 'Total'): MetricRef {
    return { resourceId: this.storageAccountId, namespace: NAMESPACE, name: 'Transactions', aggregation };
  }

  /** Roles granted through {@link grant} apply to this resource. */
  protected get grantScopeId(): string {
    return this.storageAccountId;
  }
}
