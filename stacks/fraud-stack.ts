/**
 * One environment of the fraud-detection platform (`fraud-dev`, `fraud-staging`, `fraud-prod`).
 * The stack is instantiated once per entry of `ENVIRONMENTS`; later issues add serving,
 * alerts and schedules on top of the platform pieces exposed here as typed fields.
 */
import { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { Aspects, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AppInsights } from '../constructs/platform/app-insights';
import { AzapiProvider } from '../constructs/azapi';
import { ContainerRegistry } from '../constructs/platform/container-registry';
import { Diagnostics } from '../constructs/platform/diagnostics';
import { KeyVault } from '../constructs/platform/key-vault';
import { LogAnalytics } from '../constructs/platform/log-analytics';
import { MlWorkspace } from '../constructs/platform/ml-workspace';
import { ModelRegistry } from '../constructs/platform/model-registry';
import { platformNames, PlatformNames } from '../constructs/core/naming';
import { PolicyAspect, requiredTagsRule, SECURITY_RULES, TagsAspect } from '../constructs/policy';
import { SecureStorage } from '../constructs/platform/storage';
import { applyStateBackend, StateBackend } from './backend';
import { EnvironmentRollout } from '../constructs/serving/rollout-validation';
import { BuildContextWriter } from '../constructs/serving/scoring-image';
import { EnvironmentConfig, EnvName, validateEnvironments } from './environments';
import { ROLLOUT } from './rollout';
import { Serving } from './serving';
import { writeServiceBuildContext } from './serving-bundle';

export interface FraudStackProps {
  readonly envName: EnvName;
  readonly env: EnvironmentConfig;
  /** @default { kind: 'local' } - state file in the project root */
  readonly backend?: StateBackend;
  /**
   * Writes the scoring image's Docker build context at synth.
   * @default - service/bundle.ts (esbuild bundle of service/, bundled once per process)
   */
  readonly writeBuildContext?: BuildContextWriter;
  /** The environment's deployments and traffic. @default ROLLOUT[envName] from stacks/rollout.ts */
  readonly rollout?: EnvironmentRollout;
}

/** The stack name of an environment. */
export const stackName = (env: EnvName): string => `fraud-${env}`;

export class FraudStack extends TerraformStack {
  public readonly envName: EnvName;
  public readonly env: EnvironmentConfig;
  /** Resource names of this environment (deterministic; see constructs/core/naming.ts). */
  public readonly names: PlatformNames;
  /** The required tags every azurerm resource gets. */
  public readonly tags: Readonly<Record<string, string>>;
  public readonly azurermProvider: AzurermProvider;
  public readonly azapiProvider: AzapiProvider;
  /** Tenant, subscription and deployer object id, read at plan. */
  public readonly clientConfig: DataAzurermClientConfig;
  public readonly resourceGroup: ResourceGroup;
  public readonly logAnalytics: LogAnalytics;
  public readonly appInsights: AppInsights;
  public readonly keyVault: KeyVault;
  public readonly storage: SecureStorage;
  public readonly containerRegistry: ContainerRegistry;
  public readonly workspace: MlWorkspace;
  public readonly modelRegistry: ModelRegistry;
  /** Scoring image, online endpoint, deployments and traffic from stacks/rollout.ts, autoscale, keys. */
  public readonly serving: Serving;

  constructor(scope: Construct, id: string, props: FraudStackProps) {
    super(scope, id);
    validateEnvironments({ [props.envName]: props.env });
    const env = props.env;
    this.envName = props.envName;
    this.env = env;
    this.names = platformNames({ project: env.namePrefix, env: props.envName, salt: env.salt });
    this.tags = {
      environment: env.tags.environment,
      owner: env.tags.owner,
      costCentre: env.tags.costCentre,
      project: env.namePrefix,
      managedBy: 'cdktf',
    };
    applyStateBackend(this, id, props.backend ?? { kind: 'local' });

    this.azurermProvider = new AzurermProvider(this, 'azurerm', {
      features: [
        {
          // Purge protection is on, so purging would fail anyway; recover instead of colliding.
          keyVault: [{ purgeSoftDeleteOnDestroy: false, recoverSoftDeletedKeyVaults: true }],
          resourceGroup: [{ preventDeletionIfContainsResources: true }],
        },
      ],
    });
    this.azapiProvider = new AzapiProvider(this, 'azapi');
    this.clientConfig = new DataAzurermClientConfig(this, 'ClientConfig', {});

    const publicAccess = env.publicNetworkAccess === 'Enabled';
    const protect = env.protectStatefulResources ?? true;

    this.resourceGroup = new ResourceGroup(this, 'ResourceGroup', {
      name: this.names.resourceGroup,
      location: env.location,
    });
    const base = { resourceGroup: this.resourceGroup, location: env.location };

    this.logAnalytics = new LogAnalytics(this, 'LogAnalytics', {
      ...base,
      name: this.names.logAnalytics,
      retentionDays: env.logRetentionDays,
      dailyQuotaGb: env.logDailyQuotaGb,
    });
    this.appInsights = new AppInsights(this, 'AppInsights', {
      ...base,
      name: this.names.appInsights,
      logAnalytics: this.logAnalytics,
      retentionDays: env.appInsightsRetentionDays,
    });
    this.keyVault = new KeyVault(this, 'KeyVault', {
      ...base,
      name: this.names.keyVault,
      tenantId: this.clientConfig.tenantId,
      sku: env.keyVaultSku,
      softDeleteRetentionDays: env.keyVaultSoftDeleteDays,
      publicNetworkAccessEnabled: publicAccess,
      preventDestroy: protect,
    });
    // The deployer writes secrets (e.g. endpoint keys) into the RBAC vault.
    const deployerSecrets = this.keyVault.grantSecretsWrite(
      'DeployerSecretsOfficer',
      this.clientConfig.objectId,
      null,
    );
    this.storage = new SecureStorage(this, 'Storage', {
      ...base,
      name: this.names.storageAccount,
      replication: env.storageReplication,
      softDeleteDays: env.storageSoftDeleteDays,
      publicNetworkAccessEnabled: publicAccess,
      preventDestroy: protect,
    });
    this.containerRegistry = new ContainerRegistry(this, 'ContainerRegistry', {
      ...base,
      name: this.names.containerRegistry,
      sku: env.containerRegistrySku,
      publicNetworkAccessEnabled: publicAccess,
    });
    this.workspace = new MlWorkspace(this, 'Workspace', {
      ...base,
      name: this.names.workspace,
      appInsights: this.appInsights,
      keyVault: this.keyVault,
      storage: this.storage,
      containerRegistry: this.containerRegistry,
      publicNetworkAccessEnabled: publicAccess,
      description: `Fraud detection (${props.envName})`,
      preventDestroy: protect,
    });
    this.modelRegistry = new ModelRegistry(this, 'ModelRegistry', {
      resourceGroup: this.resourceGroup,
      name: this.names.modelRegistry,
      location: env.location,
      replicaLocations: env.registry?.replicaLocations,
      storageReplication: env.registry?.storageReplication,
      publicNetworkAccess: env.publicNetworkAccess,
      tags: this.tags as Record<string, string>,
      preventDestroy: protect,
    });
    // The workspace uses models and images from the registry.
    this.modelRegistry.grantUse('WorkspaceRegistryUser', this.workspace.principalId);

    this.serving = new Serving(this, 'Serving', {
      envName: props.envName,
      settings: env.serving,
      rollout: props.rollout ?? ROLLOUT[props.envName],
      endpointName: `${env.namePrefix}-${props.envName}-${this.names.hash}`,
      location: env.location,
      subscriptionId: this.clientConfig.subscriptionId,
      resourceGroup: this.resourceGroup,
      workspace: this.workspace,
      storage: this.storage,
      containerRegistry: this.containerRegistry,
      keyVault: this.keyVault,
      appInsights: this.appInsights,
      modelRegistry: this.modelRegistry,
      writeBuildContext: props.writeBuildContext ?? writeServiceBuildContext,
      keysDependOn: [deployerSecrets],
      tags: this.tags,
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

    Aspects.of(this).add(new TagsAspect(this.tags));
    Aspects.of(this).add(
      new PolicyAspect([...SECURITY_RULES, requiredTagsRule(['environment', 'owner', 'costCentre'])]),
    );

    new TerraformOutput(this, 'resource_group_name', { value: this.resourceGroup.name });
    new TerraformOutput(this, 'workspace_name', { value: this.workspace.workspaceName });
    new TerraformOutput(this, 'workspace_id', { value: this.workspace.workspaceId });
    new TerraformOutput(this, 'model_registry_name', { value: this.modelRegistry.registryName });
    new TerraformOutput(this, 'key_vault_uri', { value: this.keyVault.vaultUri });
    new TerraformOutput(this, 'storage_account_name', { value: this.storage.storageAccountName });
    new TerraformOutput(this, 'container_registry_login_server', {
      value: this.containerRegistry.loginServer,
    });
    new TerraformOutput(this, 'endpoint_name', { value: this.serving.endpoint.endpointName });
    new TerraformOutput(this, 'endpoint_scoring_uri', { value: this.serving.endpoint.scoringUri });
    new TerraformOutput(this, 'scoring_image_version', { value: this.serving.image.version });
    if (this.serving.keys) {
      // Names only: the key values live in Key Vault, never in outputs or state.
      new TerraformOutput(this, 'endpoint_key_secret_names', {
        value: [this.serving.keys.primaryKeySecretName, this.serving.keys.secondaryKeySecretName],
      });
    }
    new TerraformOutput(this, 'app_insights_connection_string', {
      value: this.appInsights.connectionString,
      sensitive: true,
    });
  }
}
