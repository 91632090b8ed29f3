/**
 * The serving half of an environment: scoring image, model references, online endpoint with
 * the deployments and traffic of stacks/rollout.ts, per-deployment autoscale, and endpoint keys
 * in Key Vault. Built by FraudStack on top of the platform constructs.
 */
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import path from 'node:path';
import { AppInsights } from '../constructs/platform/app-insights';
import { DeploymentAutoscale } from '../constructs/serving/autoscale';
import { ContainerRegistry } from '../constructs/platform/container-registry';
import { EndpointKeys } from '../constructs/serving/endpoint-keys';
import { KeyVault } from '../constructs/platform/key-vault';
import { MlWorkspace } from '../constructs/platform/ml-workspace';
import type { IModelRegistry } from '../constructs/platform/model-registry';
import { LocalModelVersion, RegistryModelVersion } from '../constructs/serving/model-version';
import { OnlineEndpoint } from '../constructs/serving/online-endpoint';
import { EnvironmentRollout, modelRefOf } from '../constructs/serving/rollout-validation';
import { BuildContextWriter, ScoringImage } from '../constructs/serving/scoring-image';
import { SecureStorage } from '../constructs/platform/storage';
import { managedIdentity } from '../constructs/core/grants';
import type { ServingSettings } from './serving-settings';

export interface ServingProps {
  readonly envName: string;
  /** @default - the ServingSettings defaults */
  readonly settings?: ServingSettings;
  /** This environment's entry of ROLLOUT, checked by stacks/configuration.ts. */
  readonly rollout: EnvironmentRollout;
  /** Endpoint name (unique per region: carries the environment's stable hash). */
  readonly endpointName: string;
  readonly location: string;
  readonly subscriptionId: string;
  readonly resourceGroup: ResourceGroup;
  readonly workspace: MlWorkspace;
  readonly storage: SecureStorage;
  readonly containerRegistry: ContainerRegistry;
  readonly keyVault: KeyVault;
  readonly appInsights: AppInsights;
  /** The shared registry (looked up by name); deployments of registry versions read them from it at plan. */
  readonly modelRegistry: IModelRegistry;
  /** Writes the scoring service's Docker build context (service/bundle.ts). */
  readonly writeBuildContext: BuildContextWriter;
  /** Folder local model packages are resolved against. @default process.cwd() (cdktf runs from the project root) */
  readonly projectRoot?: string;
  /** Created before the key secrets, e.g. the deployer's Key Vault Secrets Officer grant. @default - none */
  readonly keysDependOn?: ITerraformDependable[];
  /** @default - none */
  readonly tags?: Readonly<Record<string, string>>;
}

export class Serving extends Construct {
  public readonly image: ScoringImage;
  public readonly endpoint: OnlineEndpoint;
  /** Deployment name -> its autoscale setting (empty when autoscale is off). */
  public readonly autoscale: Readonly<Record<string, DeploymentAutoscale>>;
  /** Present for `Key` auth. */
  public readonly keys?: EndpointKeys;

  constructor(scope: Construct, id: string, props: ServingProps) {
    super(scope, id);
    // Settings and rollout were checked once, for every environment, by stacks/configuration.ts.
    const settings = props.settings ?? {};
    const tags = props.tags ? { ...props.tags } : undefined;

    this.image = new ScoringImage(this, 'ScoringImage', {
      workspace: props.workspace,
      storage: props.storage,
      containerRegistry: props.containerRegistry,
      writeBuildContext: props.writeBuildContext,
    });

    const root = props.projectRoot ?? process.cwd();
    const modelIds: Record<string, string> = {};
    const localScope = new Construct(this, 'LocalModels');
    // Every model a deployment uses is known to exist before the deployment is created: a local
    // package is created in the same apply, a registry version is read at plan (a missing one
    // fails the plan with the `npm run register` command). Either way `model` is a reference.
    const registryScope = new Construct(this, 'RegistryModels');
    for (const [deployment, spec] of Object.entries(props.rollout.deployments)) {
      const ref = modelRefOf(spec.model);
      const local = settings.localModelPackages?.[deployment];
      modelIds[deployment] = local
        ? new LocalModelVersion(localScope, deployment, {
            workspace: props.workspace,
            storage: props.storage,
            subscriptionId: props.subscriptionId,
            model: ref,
            packageDir: path.resolve(root, local),
          }).modelVersionId
        : new RegistryModelVersion(registryScope, deployment, { registry: props.modelRegistry, model: ref })
            .modelAssetUri;
    }

    const autoscaleOn = settings.autoscale !== false;
    this.endpoint = new OnlineEndpoint(this, 'Endpoint', {
      workspace: props.workspace,
      name: props.endpointName,
      location: props.location,
      authMode: settings.authMode ?? 'Key',
      rollout: props.rollout,
      modelFor: (deployment) => modelIds[deployment] as string,
      environmentId: this.image.environmentVersionId,
      sensitiveEnvironmentVariables: {
        APPLICATIONINSIGHTS_CONNECTION_STRING: props.appInsights.connectionString,
      },
      autoscaleOwnsCapacity: autoscaleOn,
      tags,
      // The endpoint identity pulls the image, reads models (registry and workspace storage) and
      // may publish telemetry with Entra auth; granted before any deployment starts.
      grantIdentity: (principalId) => {
        const identity = managedIdentity(principalId);
        return [
          props.containerRegistry.grant('EndpointAcrPull', 'AcrPull', identity),
          props.storage.grant('EndpointBlobRead', 'Storage Blob Data Reader', identity),
          props.modelRegistry.grant('EndpointRegistryUser', 'AzureML Registry User', identity),
          props.appInsights.grant('EndpointPublishMetrics', 'Monitoring Metrics Publisher', identity),
        ];
      },
    });

    const autoscale: Record<string, DeploymentAutoscale> = {};
    if (autoscaleOn) {
      const scope = new Construct(this, 'Autoscale');
      for (const [deployment, spec] of Object.entries(props.rollout.deployments)) {
        autoscale[deployment] = new DeploymentAutoscale(scope, deployment, {
          name: `autoscale-${props.endpointName}-${deployment}`,
          resourceGroupName: props.resourceGroup.name,
          location: props.location,
          deploymentId: this.endpoint.deploymentId(deployment),
          defaultInstances: spec.instanceCount,
          settings: settings.autoscale || undefined,
          tags,
        });
      }
    }
    this.autoscale = autoscale;

    if (this.endpoint.authMode === 'Key') {
      this.keys = new EndpointKeys(this, 'Keys', {
        endpoint: this.endpoint,
        keyVault: props.keyVault,
        rotation: settings.keyRotation,
        dependsOn: props.keysDependOn,
      });
    }
  }
}
