/**
 * The per-environment platform as one construct: resource group, Log Analytics, workspace-based
 * Application Insights, Key Vault, storage, container registry, the Azure ML workspace and their
 * diagnostic settings. A stack composes it with serving (and later jobs and monitoring); the
 * stack maps its typed environment settings onto these props, so this file never imports stacks/.
 */
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { Construct } from 'constructs';
import { PlatformNames } from '../core/naming';
import { AppInsights } from './app-insights';
import { ContainerRegistry } from './container-registry';
import { Diagnostics } from './diagnostics';
import { KeyVault } from './key-vault';
import { LogAnalytics } from './log-analytics';
import { MlWorkspace } from './ml-workspace';
import { SecureStorage } from './storage';

export interface PlatformProps {
  /** Resource names of the environment (constructs/core/naming.ts). */
  readonly names: PlatformNames;
  /** Azure region of every resource. */
  readonly location: string;
  /** Entra tenant id (from `DataAzurermClientConfig`). */
  readonly tenantId: string;
  /** Object id of whoever runs `terraform apply`; it writes secrets such as endpoint keys. */
  readonly deployerObjectId: string;
  /** Shown in the portal on the workspace. */
  readonly description: string;
  /** @default 30 */
  readonly logRetentionDays?: number;
  /** @default - no daily cap */
  readonly logDailyQuotaGb?: number;
  /** @default 90 */
  readonly appInsightsRetentionDays?: number;
  /** @default 'standard' */
  readonly keyVaultSku?: 'standard' | 'premium';
  /** @default 90 */
  readonly keyVaultSoftDeleteDays?: number;
  /** @default 'ZRS' (see SecureStorage) */
  readonly storageReplication?: ConstructorParameters<typeof SecureStorage>[2]['replication'];
  /** @default 7 (see SecureStorage) */
  readonly storageSoftDeleteDays?: number;
  /** @default 'Basic' (see ContainerRegistry) */
  readonly containerRegistrySku?: ConstructorParameters<typeof ContainerRegistry>[2]['sku'];
  /** @default true */
  readonly publicNetworkAccessEnabled?: boolean;
  /** `prevent_destroy` on the workspace, Key Vault and storage. @default true */
  readonly protectStatefulResources?: boolean;
}

export class Platform extends Construct {
  public readonly resourceGroup: ResourceGroup;
  public readonly logAnalytics: LogAnalytics;
  public readonly appInsights: AppInsights;
  public readonly keyVault: KeyVault;
  public readonly storage: SecureStorage;
  public readonly containerRegistry: ContainerRegistry;
  public readonly workspace: MlWorkspace;
  /** The deployer's Key Vault Secrets Officer assignment; secret writers depend on it. */
  public readonly deployerSecretsAccess: RoleAssignment;

  constructor(scope: Construct, id: string, props: PlatformProps) {
    super(scope, id);
    const names = props.names;
    const publicAccess = props.publicNetworkAccessEnabled ?? true;
    const protect = props.protectStatefulResources ?? true;

    this.resourceGroup = new ResourceGroup(this, 'ResourceGroup', {
      name: names.resourceGroup,
      location: props.location,
    });
    const base = { resourceGroup: this.resourceGroup, location: props.location };

    this.logAnalytics = new LogAnalytics(this, 'LogAnalytics', {
      ...base,
      name: names.logAnalytics,
      retentionDays: props.logRetentionDays,
      dailyQuotaGb: props.logDailyQuotaGb,
    });
    this.appInsights = new AppInsights(this, 'AppInsights', {
      ...base,
      name: names.appInsights,
      logAnalytics: this.logAnalytics,
      retentionDays: props.appInsightsRetentionDays,
    });
    this.keyVault = new KeyVault(this, 'KeyVault', {
      ...base,
      name: names.keyVault,
      tenantId: props.tenantId,
      sku: props.keyVaultSku,
      softDeleteRetentionDays: props.keyVaultSoftDeleteDays,
      publicNetworkAccessEnabled: publicAccess,
      preventDestroy: protect,
    });
    // The deployer writes secrets (e.g. endpoint keys) into the RBAC vault.
    // Its principal type is not known at synth (a user, or CI's service principal): not sent.
    this.deployerSecretsAccess = this.keyVault.grant('DeployerSecretsOfficer', 'Key Vault Secrets Officer', {
      principalId: props.deployerObjectId,
    });
    this.storage = new SecureStorage(this, 'Storage', {
      ...base,
      name: names.storageAccount,
      replication: props.storageReplication,
      softDeleteDays: props.storageSoftDeleteDays,
      publicNetworkAccessEnabled: publicAccess,
      preventDestroy: protect,
    });
    this.containerRegistry = new ContainerRegistry(this, 'ContainerRegistry', {
      ...base,
      name: names.containerRegistry,
      sku: props.containerRegistrySku,
      publicNetworkAccessEnabled: publicAccess,
    });
    this.workspace = new MlWorkspace(this, 'Workspace', {
      ...base,
      name: names.workspace,
      appInsights: this.appInsights,
      keyVault: this.keyVault,
      storage: this.storage,
      containerRegistry: this.containerRegistry,
      publicNetworkAccessEnabled: publicAccess,
      description: props.description,
      preventDestroy: protect,
    });

    const diagnostics = new Construct(this, 'Diagnostics');
    const la = this.logAnalytics;
    new Diagnostics(diagnostics, 'KeyVault', {
      targetResourceId: this.keyVault.keyVaultId,
      logAnalytics: la,
    });
    // The account itself only has metrics; blob request logs live on the blob service.
    new Diagnostics(diagnostics, 'Storage', {
      targetResourceId: this.storage.storageAccountId,
      logAnalytics: la,
      logCategoryGroups: [],
      metricCategories: ['Transaction'],
    });
    new Diagnostics(diagnostics, 'StorageBlob', {
      targetResourceId: this.storage.blobServiceId,
      logAnalytics: la,
      metricCategories: ['Transaction'],
    });
    new Diagnostics(diagnostics, 'ContainerRegistry', {
      targetResourceId: this.containerRegistry.registryId,
      logAnalytics: la,
    });
    new Diagnostics(diagnostics, 'Workspace', {
      targetResourceId: this.workspace.workspaceId,
      logAnalytics: la,
    });
  }
}
