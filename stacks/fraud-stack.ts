/**
 * One environment of the fraud-detection platform (`fraud-dev`, `fraud-staging`, `fraud-prod`).
 * The stack is instantiated once per entry of `ENVIRONMENTS`; later issues add serving,
 * alerts and schedules on top of the platform pieces exposed here as typed fields.
 */
import { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { Aspects, TerraformOutput, TerraformStack } from 'cdktf';
import { makeUniqueId } from 'cdktf/lib/private/unique';
import { Construct } from 'constructs';
import { AzapiProvider } from '../constructs/azapi';
import { managedIdentity } from '../constructs/core/grants';
import { platformNames, PlatformNames } from '../constructs/core/naming';
import { ExistingModelRegistry, Platform } from '../constructs/platform';
import { PolicyAspect, requiredTagsRule, SECURITY_RULES, TagsAspect } from '../constructs/policy';
import { EnvironmentRollout } from '../constructs/serving/rollout-validation';
import { CodeWriter } from '../constructs/jobs';
import { BuildContextWriter } from '../constructs/serving/scoring-image';
import { applyStateBackend, StateBackend } from './backend';
import { EnvironmentConfig, EnvName, SHARED, SharedConfig } from './environments';
import { Jobs } from './jobs';
import { writeDriftCode } from './drift-job';
import { Monitoring } from './monitoring';
import { writeJobImageContext, writeTrainerCode } from './jobs-bundle';
import { keepStateAddresses } from './moved-resources';
import { Serving } from './serving';
import { writeServiceBuildContext } from './serving-bundle';
import { SHARED_STACK_NAME, sharedNames } from './shared-stack';

/** Settings and rollout come checked by stacks/configuration.ts (buildApp); the stack trusts them. */
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
  /**
   * The environment's deployments and traffic: `ROLLOUT[envName]` from stacks/rollout.ts in the
   * app, a fixed test rollout in tests (never the live constants, so a traffic edit cannot break
   * a snapshot).
   */
  readonly rollout: EnvironmentRollout;
  /** The shared settings: where to find the registry (deployed by fraud-shared). @default SHARED */
  readonly shared?: SharedConfig;
  /** Writes the job image's build context at synth. @default - stacks/jobs-bundle.ts */
  readonly writeJobImageContext?: BuildContextWriter;
  /** Writes the training code asset at synth. @default - stacks/jobs-bundle.ts (esbuild bundle of the train CLI) */
  readonly writeTrainerCode?: CodeWriter;
  /** Writes the drift job's code asset at synth. @default - stacks/drift-job.ts (esbuild bundle of the drift CLI) */
  readonly writeDriftCode?: CodeWriter;
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
  /** Resource group, logs, App Insights, Key Vault, storage, container registry, ML workspace. */
  public readonly platform: Platform;
  /** The shared registry (stack fraud-shared), found by name at plan. */
  public readonly modelRegistry: ExistingModelRegistry;
  /** Scoring image, online endpoint, deployments and traffic from stacks/rollout.ts, autoscale, keys. */
  public readonly serving: Serving;
  /** Compute cluster, job image, code and data assets, the training job and its weekly schedule. */
  public readonly jobs: Jobs;
  /** Action group, alerts, the endpoint's traffic log, the workbook and the daily drift job. */
  public readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: FraudStackProps) {
    super(scope, id);
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
    applyStateBackend(this, id, props.backend ?? { kind: 'local' }, props.envName);

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

    this.platform = new Platform(this, 'Platform', {
      names: this.names,
      location: env.location,
      tenantId: this.clientConfig.tenantId,
      deployerObjectId: this.clientConfig.objectId,
      description: `Fraud detection (${props.envName})`,
      logRetentionDays: env.logRetentionDays,
      logDailyQuotaGb: env.logDailyQuotaGb,
      appInsightsRetentionDays: env.appInsightsRetentionDays,
      keyVaultSku: env.keyVaultSku,
      keyVaultSoftDeleteDays: env.keyVaultSoftDeleteDays,
      storageReplication: env.storageReplication,
      storageSoftDeleteDays: env.storageSoftDeleteDays,
      containerRegistrySku: env.containerRegistrySku,
      publicNetworkAccessEnabled: env.publicNetworkAccess === 'Enabled',
      protectStatefulResources: env.protectStatefulResources,
    });
    const { resourceGroup, appInsights, keyVault, storage, containerRegistry, workspace } = this.platform;
    // The registry is shared by every environment (stack fraud-shared, deployed first); it is
    // found by its deterministic name from the same settings, never by a copied id.
    const shared: SharedConfig = props.shared ?? SHARED;
    const sharedRg = sharedNames(shared).resourceGroup;
    this.modelRegistry = new ExistingModelRegistry(this, 'SharedModelRegistry', {
      name: sharedNames(shared).modelRegistry,
      resourceGroupId: `/subscriptions/${this.clientConfig.subscriptionId}/resourceGroups/${sharedRg}`,
      missingHint: `deploy the shared stack first: npx cdktf deploy ${SHARED_STACK_NAME} (README, "Deploy order")`,
    });
    // Until this issue every environment had its own registry: Terraform forgets it (no
    // destroy; it has prevent_destroy and may hold versions) so it can be deleted by hand.
    this.addOverride('removed', [
      {
        from: `azapi_resource.${makeUniqueId(['ModelRegistry', 'Resource'])}`,
        lifecycle: { destroy: false },
      },
    ]);
    // The workspace uses models and images from the registry.
    this.modelRegistry.grant(
      'WorkspaceRegistryUser',
      'AzureML Registry User',
      managedIdentity(workspace.principalId),
    );

    this.serving = new Serving(this, 'Serving', {
      envName: props.envName,
      settings: env.serving,
      rollout: props.rollout,
      endpointName: `${env.namePrefix}-${props.envName}-${this.names.hash}`,
      location: env.location,
      subscriptionId: this.clientConfig.subscriptionId,
      resourceGroup: resourceGroup,
      workspace: workspace,
      storage: storage,
      containerRegistry: containerRegistry,
      keyVault: keyVault,
      appInsights: appInsights,
      modelRegistry: this.modelRegistry,
      writeBuildContext: props.writeBuildContext ?? writeServiceBuildContext,
      keysDependOn: [this.platform.deployerSecretsAccess],
      tags: this.tags,
    });

    this.jobs = new Jobs(this, 'Jobs', {
      envName: props.envName,
      settings: env.jobs,
      location: env.location,
      subscriptionId: this.clientConfig.subscriptionId,
      workspace,
      storage,
      containerRegistry,
      writeImageContext: props.writeJobImageContext ?? writeJobImageContext,
      writeTrainerCode: props.writeTrainerCode ?? writeTrainerCode,
      tags: this.tags,
    });

    this.monitoring = new Monitoring(this, 'Monitoring', {
      envName: props.envName,
      namePrefix: env.namePrefix,
      settings: env.alerts,
      location: env.location,
      resourceGroup,
      logAnalytics: this.platform.logAnalytics,
      appInsights,
      workspace,
      storage,
      endpoint: this.serving.endpoint,
      autoscale: this.serving.autoscale,
      rollout: props.rollout,
      localModelPackages: env.serving?.localModelPackages,
      modelRegistry: this.modelRegistry,
      jobs: this.jobs,
      writeDriftCode: props.writeDriftCode ?? writeDriftCode,
      tags: this.tags,
    });

    // Last, so that grants other constructs made on platform resources are covered too.
    keepStateAddresses(this.platform);

    Aspects.of(this).add(new TagsAspect(this.tags));
    Aspects.of(this).add(
      new PolicyAspect([...SECURITY_RULES, requiredTagsRule(['environment', 'owner', 'costCentre'])]),
    );

    new TerraformOutput(this, 'resource_group_name', { value: resourceGroup.name });
    new TerraformOutput(this, 'workspace_name', { value: workspace.workspaceName });
    new TerraformOutput(this, 'workspace_id', { value: workspace.workspaceId });
    new TerraformOutput(this, 'model_registry_name', { value: this.modelRegistry.registryName });
    new TerraformOutput(this, 'key_vault_uri', { value: keyVault.vaultUri });
    new TerraformOutput(this, 'storage_account_name', { value: storage.storageAccountName });
    new TerraformOutput(this, 'container_registry_login_server', {
      value: containerRegistry.loginServer,
    });
    new TerraformOutput(this, 'endpoint_name', { value: this.serving.endpoint.endpointName });
    new TerraformOutput(this, 'endpoint_scoring_uri', { value: this.serving.endpoint.scoringUri });
    new TerraformOutput(this, 'scoring_image_version', { value: this.serving.image.version });
    // Where the training CSV goes (docs/lifecycle.md): <container>/<path> in storage_account_name.
    new TerraformOutput(this, 'training_data_blob', {
      value: `${this.jobs.trainingData.containerName}/${this.jobs.trainingData.path}`,
    });
    if (this.serving.keys) {
      // Names only: the key values live in Key Vault, never in outputs or state.
      new TerraformOutput(this, 'endpoint_key_secret_names', {
        value: [this.serving.keys.primaryKeySecretName, this.serving.keys.secondaryKeySecretName],
      });
    }
    new TerraformOutput(this, 'app_insights_connection_string', {
      value: appInsights.connectionString,
      sensitive: true,
    });
  }
}
