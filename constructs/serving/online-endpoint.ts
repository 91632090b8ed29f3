/**
 * Azure ML managed online endpoint with one deployment per rollout entry, the traffic split
 * applied after the deployments exist, and a destroy-time drain (FACTS.md §2.1, §2.2, §4).
 *
 * Resource graph:
 *   endpoint (azapi_resource, traffic {} + ignore_body_changes on traffic/mirrorTraffic)
 *     <- deployment per rollout entry (azapi_resource, parent = endpoint, locks = [endpoint id])
 *       <- Traffic (azapi_update_resource: GET, merge the whole map, PUT; reads back; depends_on every deployment)
 *       <- DrainOnDestroy (azapi_resource_action PUT with traffic {}, when = destroy, depends_on every deployment)
 *
 * Why the traffic is an `azapi_update_resource` (stacks/rollout.ts stays the truth): a split
 * changed in the portal or with the CLI must show up in the next plan and be reverted by apply.
 * `azapi_resource_action` never reads back: its Read only re-saves state (azapi v2.12.0
 * internal/services/azapi_resource_action_resource.go:424-435), so drift stayed invisible.
 * `azapi_update_resource` GETs the endpoint on every refresh and keeps the remote values of the
 * body paths it manages (azapi_update_resource.go:573-674, `utils.UpdateObject` at :640), so
 * `blue 90 -> 50` in the portal is a diff in the next plan, and apply PUTs the declared map back.
 * Its write is GET, deep-merge, PUT (azapi_update_resource.go:480): map keys we leave out are
 * KEPT, so the body always carries every declared deployment, drained ones as 0, in both
 * `traffic` and `mirrorTraffic` (a mirror switched off is sent as 0, never dropped).
 * It is also replaced, i.e. re-asserts the whole map, whenever the endpoint itself changes or is
 * re-created (`replace_triggered_by`), as PITFALLS.md §1 advises: a re-created endpoint starts
 * with empty traffic, which a read-back alone would not see as drift (azapi keeps the configured
 * value of a key the remote lacks, `ignore_missing_property` defaults to true).
 * UNVERIFIED (FACTS §8.2): whether Azure keeps a deleted deployment's key in `traffic`. If it
 * did, the merge would send that key back; retiring takes two applies (drain, then remove) and in
 * the second the traffic update runs before the deployment is deleted, so the map it sends names
 * only deployments that exist at that moment. Whether a 0 entry in `mirrorTraffic` for a live
 * deployment is accepted is unverified too; the rules never put a live deployment above 0 there.
 *
 * Why the endpoint ignores its traffic fields: an endpoint update (e.g. a new description) is a
 * PUT of the configured body. Without `ignore_body_changes` it would send `traffic = {}` and could
 * zero live traffic (FACTS §8.1, unverified); with it azapi copies the live values into the PUT.
 * This needs azapi >= 2.12 and Terraform >= 1.11 (the binding pins `~> 2.12`).
 *
 * Ordering, per Terraform's graph rules:
 * - add a canary: its deployment is created, then Traffic runs (depends_on). One apply.
 * - shift traffic: only Traffic's body changes. One apply.
 * - retire: drain to 0 (apply), then remove (apply): Traffic (which depended on the removed
 *   deployment) is updated before that deployment is destroyed. `npm run rollout -- status`
 *   rejects a removal that skips the drain (FACTS §8.3: the API may refuse, as Studio does).
 * - destroy everything: DrainOnDestroy depends on the deployments, so it is destroyed, i.e. runs
 *   its PUT with traffic {}, before any deployment is deleted.
 *
 * Identity: a USER-ASSIGNED identity, created (with every grant it needs) before the endpoint.
 * Azure ML gives a SYSTEM-assigned endpoint identity AcrPull on the workspace registry and Storage
 * Blob Data Reader on the workspace storage by itself when the endpoint is created (Azure ML docs,
 * https://learn.microsoft.com/azure/machine-learning/concept-endpoints-online-auth#automatic-role-assignment-for-endpoint-identity);
 * creating the same assignments again answers 409 RoleAssignmentExists, which azurerm treats as
 * fatal (azurerm v4.55.0 internal/services/authorization/role_assignment_resource.go:374-386:
 * only retryable errors, PrincipalNotFound and LinkedAuthorizationFailed are retried), so the first
 * apply failed. We chose the user-assigned identity over "rely on the automatic grants and keep the
 * rest" because:
 * - every grant is explicit, visible in the plan and reviewed, and nothing depends on what Azure
 *   does behind our back (the automatic set is only documented, never in the plan, and also holds
 *   a role we do not use, "AzureML Metrics Writer (preview)");
 * - the grants exist before the endpoint, so the first deployment never races RBAC propagation
 *   while it pulls its image and reads its model (the model-registry grant is never automatic,
 *   and with a system identity it can only be created after the endpoint);
 * - the principal id is known before the endpoint exists, so other stacks (the shared registry)
 *   can grant it, and re-creating the endpoint keeps its identity and grants.
 * The grants a user-assigned endpoint identity needs: AcrPull on the workspace registry and
 * Storage Blob Data Reader on the workspace storage (Azure ML docs,
 * https://learn.microsoft.com/azure/machine-learning/how-to-access-resources-from-endpoints-managed-identities
 * "Give access permission to the managed identity"), plus what this service uses (registry
 * models, App Insights metrics), passed in by `grantIdentity`.
 *
 * FACTS §8.4 (unverified): whether concurrent operations on one endpoint conflict. Safe choice:
 * every write on the endpoint and its deployments holds the lock `endpoint id`.
 * FACTS §8.9 (unverified): whether api-version 2026-07-01 is GA. Safe choice: 2026-05-01 (`mlType`),
 * the newest version embedded in a released azapi (>= 2.11).
 */
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { Construct } from 'constructs';
import { AzapiResource, AzapiResourceAction, AzapiUpdateResource, bareAddress, mlType } from '../azapi';
import { MetricAggregation, MetricRef } from '../core/metric';
import { RbacPropagation } from '../core/rbac-propagation';
import { MlWorkspace } from '../platform/ml-workspace';
import { checkAzureName } from '../core/naming';
import {
  EnvironmentRollout,
  fullMirrorMap,
  fullTrafficMap,
  ModelRef,
  modelRefOf,
} from './rollout-validation';

export const ENDPOINT_TYPE = mlType('workspaces/onlineEndpoints');
export const DEPLOYMENT_TYPE = mlType('workspaces/onlineEndpoints/deployments');
export const ENDPOINT_NAMESPACE = 'Microsoft.MachineLearningServices/workspaces/onlineEndpoints';
export const DEPLOYMENT_NAMESPACE =
  'Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments';

export type EndpointAuthMode = 'Key' | 'AMLToken' | 'AADToken';

/** A probe in the REST shape (ISO-8601 durations, unlike the CLI YAML's integer seconds). */
export interface ProbeSettings {
  readonly initialDelay: string;
  readonly period: string;
  readonly timeout: string;
  readonly failureThreshold: number;
  readonly successThreshold: number;
}

/** Liveness: the process answers. Generous failure threshold: ORT warm-up happens at start. */
export const DEFAULT_LIVENESS_PROBE: ProbeSettings = {
  initialDelay: 'PT10S',
  period: 'PT10S',
  timeout: 'PT2S',
  failureThreshold: 30,
  successThreshold: 1,
};
/** Readiness: the model is loaded and a warm-up inference succeeded (service/ /health/ready). */
export const DEFAULT_READINESS_PROBE: ProbeSettings = {
  initialDelay: 'PT5S',
  period: 'PT5S',
  timeout: 'PT2S',
  failureThreshold: 30,
  successThreshold: 1,
};

export interface OnlineEndpointProps {
  readonly workspace: MlWorkspace;
  /** Endpoint name: 3..32, unique per Azure region (it forms `<name>.<region>.inference.ml.azure.com`). */
  readonly name: string;
  /** @default - the workspace's location */
  readonly location?: string;
  /** @default 'Key' (the original's clients send a key) */
  readonly authMode?: EndpointAuthMode;
  /** @default 'Enabled' */
  readonly publicNetworkAccess?: 'Enabled' | 'Disabled';
  /**
   * This environment's rollout constants, already checked by the rollout rules
   * (stacks/configuration.ts runs them once for every environment before any stack is built).
   */
  readonly rollout: EnvironmentRollout;
  /** The model a deployment runs: an asset id or ARM id for its `name:version` reference. */
  readonly modelFor: (deployment: string, model: ModelRef) => string;
  /** ARM id of the environment version (the scoring image). */
  readonly environmentId: string;
  /** Variables every deployment gets (the deployment's own name is added as DEPLOYMENT_NAME). @default - none */
  readonly environmentVariables?: Readonly<Record<string, string>>;
  /**
   * An autoscale setting owns the instance count: deployments ignore drift in `sku.capacity`
   * (the rollout's instanceCount is then only the starting count).
   * @default false
   */
  readonly autoscaleOwnsCapacity?: boolean;
  /**
   * Requests in flight per instance. The service is async (ORT off the event loop, micro-batching),
   * so the Azure default of 1 would turn bursts into fast 429s (FACTS §2.2).
   * @default 16
   */
  readonly maxConcurrentRequestsPerInstance?: number;
  /** ISO-8601 request timeout. @default 'PT5S' */
  readonly requestTimeout?: string;
  /** @default DEFAULT_LIVENESS_PROBE */
  readonly livenessProbe?: ProbeSettings;
  /** @default DEFAULT_READINESS_PROBE */
  readonly readinessProbe?: ProbeSettings;
  /**
   * Variables every deployment gets through azapi `sensitive_body` (merge-patched into the body,
   * kept out of plan output and state), e.g. the App Insights connection string: a sensitive
   * value inside `body` would mark the whole body sensitive and hide model bumps in the PR plan.
   * sensitive_body is write-only: a changed value is sent with the next body change.
   * @default - none
   */
  readonly sensitiveEnvironmentVariables?: Readonly<Record<string, string>>;
  /**
   * Called with the principal id of the endpoint's user-assigned identity; the returned resources
   * (role grants) are created before the endpoint, so before any deployment pulls its image.
   * Every grant the identity needs must be here: nothing is granted automatically.
   * Deployments also wait {@link rbacPropagationWait} after them (RBAC propagation).
   * @default - no grants
   */
  readonly grantIdentity?: (principalId: string) => RoleAssignment[];
  /**
   * How long deployments wait after the identity's grants are created, so that the first one
   * can pull its image and read its model (see constructs/core/rbac-propagation.ts).
   * @default '10m'
   */
  readonly rbacPropagationWait?: string;
  /** @default - none */
  readonly tags?: Readonly<Record<string, string>>;
  /** @default 'Fraud scoring endpoint' */
  readonly description?: string;
}

const ISO_DURATION = /^P(?!$)(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;

/** Problems with the endpoint props that are not rollout rules (pure; exported for tests). */
export function onlineEndpointErrors(
  props: Omit<OnlineEndpointProps, 'workspace' | 'modelFor' | 'grantIdentity'>,
): string[] {
  const errors: string[] = [];
  const concurrency = props.maxConcurrentRequestsPerInstance ?? 16;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 1000) {
    errors.push(`maxConcurrentRequestsPerInstance must be an integer 1..1000, got ${concurrency}`);
  }
  const durations: [string, string | undefined][] = [['requestTimeout', props.requestTimeout]];
  for (const [probe, value] of [
    ['livenessProbe', props.livenessProbe],
    ['readinessProbe', props.readinessProbe],
  ] as const) {
    if (!value) continue;
    durations.push(
      [`${probe}.initialDelay`, value.initialDelay],
      [`${probe}.period`, value.period],
      [`${probe}.timeout`, value.timeout],
    );
    if (!Number.isInteger(value.failureThreshold) || value.failureThreshold < 1) {
      errors.push(`${probe}.failureThreshold must be a positive integer, got ${value.failureThreshold}`);
    }
    if (!Number.isInteger(value.successThreshold) || value.successThreshold < 1) {
      errors.push(`${probe}.successThreshold must be a positive integer, got ${value.successThreshold}`);
    }
  }
  if (props.livenessProbe && props.livenessProbe.successThreshold !== 1) {
    errors.push(
      `livenessProbe.successThreshold must be 1 (Azure fixes it), got ${props.livenessProbe.successThreshold}`,
    );
  }
  for (const [field, value] of durations) {
    if (value !== undefined && !ISO_DURATION.test(value)) {
      errors.push(
        `${field} '${value}' must be an ISO-8601 duration such as 'PT5S' (the REST API does not take seconds as numbers)`,
      );
    }
  }
  return errors;
}

export class OnlineEndpoint extends Construct {
  public readonly endpoint: AzapiResource;
  public readonly endpointId: string;
  public readonly endpointName: string;
  /** `https://<name>.<region>.inference.ml.azure.com/score` (from the API response). */
  public readonly scoringUri: string;
  /** The endpoint's user-assigned identity (created before the endpoint, with its grants). */
  public readonly identity: UserAssignedIdentity;
  /** Object id of the endpoint's identity. */
  public readonly principalId: string;
  /** The role assignments the identity got before the endpoint was created. */
  public readonly identityGrants: readonly RoleAssignment[];
  /** The wait for those grants to take effect; deployments depend on it. Absent without grants. */
  public readonly identityGrantsPropagation?: RbacPropagation;
  public readonly authMode: EndpointAuthMode;
  /** Deployment name -> resource, in rollout order. */
  public readonly deployments: Readonly<Record<string, AzapiResource>>;
  /** The traffic split (GET-merge-PUT that reads back; depends on every deployment). */
  public readonly traffic: AzapiUpdateResource;
  /** The destroy-time PUT with zero traffic. */
  public readonly drainOnDestroy: AzapiResourceAction;

  constructor(scope: Construct, id: string, props: OnlineEndpointProps) {
    super(scope, id);
    const errors = onlineEndpointErrors(props);
    if (errors.length > 0) throw new Error(`OnlineEndpoint '${this.node.path}':\n- ${errors.join('\n- ')}`);
    const name = checkAzureName('onlineEndpoint', 'online endpoint', props.name);
    const location = props.location ?? props.workspace.location;
    this.authMode = props.authMode ?? 'Key';
    const tags = props.tags ? { ...props.tags } : undefined;
    const baseProperties = {
      authMode: this.authMode,
      publicNetworkAccess: props.publicNetworkAccess ?? 'Enabled',
      description: props.description ?? 'Fraud scoring endpoint',
    };

    this.identity = new UserAssignedIdentity(this, 'Identity', {
      name: `id-${name}`,
      resourceGroupName: props.workspace.resourceGroupName,
      location,
      tags,
    });
    this.principalId = this.identity.principalId;
    this.identityGrants = props.grantIdentity?.(this.principalId) ?? [];
    // The ARM body shape of the identity, for the full-body PUTs below.
    const bodyIdentity = { type: 'UserAssigned', userAssignedIdentities: { [this.identity.id]: {} } };

    this.endpoint = new AzapiResource(this, 'Resource', {
      type: ENDPOINT_TYPE,
      name,
      parentId: props.workspace.workspaceId,
      location,
      identity: { type: 'UserAssigned', identityIds: [this.identity.id] },
      tags,
      body: { properties: { ...baseProperties, traffic: {}, mirrorTraffic: {} } },
      ignoreBodyChanges: ['properties.traffic', 'properties.mirrorTraffic'],
      responseExportValues: ['properties.scoringUri'],
      timeouts: { create: '30m', update: '30m', delete: '60m' },
      // Grants first: deployments (children of the endpoint) then never start without them.
      dependsOn: this.identityGrants.length > 0 ? [...this.identityGrants] : undefined,
    });
    this.endpointId = this.endpoint.id;
    this.endpointName = name;
    this.scoringUri = this.endpoint.outputAttribute('properties.scoringUri');
    // Runs while the endpoint is being created; the deployments start after both.
    this.identityGrantsPropagation =
      this.identityGrants.length > 0
        ? new RbacPropagation(this, 'IdentityGrantsPropagation', {
            grants: this.identityGrants,
            wait: props.rbacPropagationWait,
          })
        : undefined;
    const deploymentsDependOn = this.identityGrantsPropagation
      ? [this.identityGrantsPropagation.ready]
      : undefined;

    const sensitiveVars = props.sensitiveEnvironmentVariables;
    const deploymentsScope = new Construct(this, 'Deployments');
    const deployments: Record<string, AzapiResource> = {};
    for (const [deploymentName, spec] of Object.entries(props.rollout.deployments)) {
      const model: ModelRef = modelRefOf(spec.model);
      deployments[deploymentName] = new AzapiResource(deploymentsScope, deploymentName, {
        type: DEPLOYMENT_TYPE,
        name: deploymentName,
        parentId: this.endpointId,
        location,
        tags,
        body: {
          sku: { name: 'Default', capacity: spec.instanceCount },
          properties: {
            endpointComputeType: 'Managed',
            instanceType: spec.instanceType,
            model: props.modelFor(deploymentName, model),
            environmentId: props.environmentId,
            environmentVariables: { ...props.environmentVariables, DEPLOYMENT_NAME: deploymentName },
            appInsightsEnabled: true,
            scaleSettings: { scaleType: 'Default' },
            requestSettings: {
              maxConcurrentRequestsPerInstance: props.maxConcurrentRequestsPerInstance ?? 16,
              requestTimeout: props.requestTimeout ?? 'PT5S',
            },
            livenessProbe: { ...(props.livenessProbe ?? DEFAULT_LIVENESS_PROBE) },
            readinessProbe: { ...(props.readinessProbe ?? DEFAULT_READINESS_PROBE) },
          },
        },
        sensitiveBody:
          sensitiveVars && Object.keys(sensitiveVars).length > 0
            ? { properties: { environmentVariables: { ...sensitiveVars } } }
            : undefined,
        locks: [this.endpointId],
        // First deployments of an image can take 20+ minutes; the azapi default is 30m.
        timeouts: { create: '90m', update: '90m', delete: '90m' },
        retry: { errorMessageRegex: ['OperationCanceled', 'waiting for lock', 'Conflict'] },
        dependsOn: deploymentsDependOn,
        // Autoscale rewrites sku.capacity: ignore that drift in the plan (lifecycle) and keep the
        // live count when another part of the body changes (ignore_body_changes).
        ...(props.autoscaleOwnsCapacity
          ? { lifecycle: { ignoreChanges: ['body.sku.capacity'] }, ignoreBodyChanges: ['sku.capacity'] }
          : {}),
      });
    }
    this.deployments = deployments;
    const all = Object.values(deployments);

    this.traffic = new AzapiUpdateResource(this, 'Traffic', {
      type: ENDPOINT_TYPE,
      resourceId: this.endpointId,
      body: {
        properties: { traffic: fullTrafficMap(props.rollout), mirrorTraffic: fullMirrorMap(props.rollout) },
      },
      locks: [this.endpointId],
      timeouts: { create: '30m', update: '30m', read: '5m' },
      dependsOn: all.length > 0 ? all : [this.endpoint],
      lifecycle: { replaceTriggeredBy: [bareAddress(this.endpoint)] },
    });
    // The destroy-time drain is a full PUT: it must also work when the update above is gone.
    const fullBody = (traffic: Record<string, number>, mirrorTraffic: Record<string, number>) => ({
      location,
      identity: bodyIdentity,
      ...(tags ? { tags } : {}),
      properties: { ...baseProperties, traffic, mirrorTraffic },
    });
    this.drainOnDestroy = new AzapiResourceAction(this, 'DrainOnDestroy', {
      type: ENDPOINT_TYPE,
      resourceId: this.endpointId,
      method: 'PUT',
      when: 'destroy',
      body: fullBody({}, {}),
      locks: [this.endpointId],
      timeouts: { create: '30m', delete: '30m' },
      dependsOn: all.length > 0 ? all : [this.endpoint],
    });
  }

  /** ARM id of one deployment (the autoscale target and per-deployment metric scope). */
  public deploymentId(name: string): string {
    const d = this.deployments[name];
    if (!d)
      throw new Error(
        `OnlineEndpoint '${this.node.path}': no deployment '${name}' (have ${Object.keys(this.deployments).join(', ')})`,
      );
    return d.id;
  }

  /** An endpoint metric, split by deployment so a bad canary shows up as the canary. */
  public metric(
    name: string,
    aggregation: MetricAggregation = 'Average',
    deployments: readonly string[] = ['*'],
  ): MetricRef {
    return {
      resourceId: this.endpointId,
      namespace: ENDPOINT_NAMESPACE,
      name,
      aggregation,
      dimensions: { deployment: deployments },
    };
  }

  /** P95 request latency in ms. @default aggregation 'Average' (the only one Azure publishes for it) */
  public metricRequestLatencyP95(deployments: readonly string[] = ['*']): MetricRef {
    return this.metric('RequestLatency_P95', 'Average', deployments);
  }

  /** Requests per minute (dimensions deployment, statusCodeClass). @default aggregation 'Average' */
  public metricRequestsPerMinute(aggregation: MetricAggregation = 'Average'): MetricRef {
    return this.metric('RequestsPerMinute', aggregation);
  }

  /** CPU of one deployment's instances. @default aggregation 'Average' */
  public metricDeploymentCpu(deployment: string, aggregation: MetricAggregation = 'Average'): MetricRef {
    return {
      resourceId: this.deploymentId(deployment),
      namespace: DEPLOYMENT_NAMESPACE,
      name: 'CpuUtilizationPercentage',
      aggregation,
    };
  }

  /**
   * Memory of one deployment's instances (`CpuMemoryUtilizationPercentage`, dimension instanceId:
   * https://learn.microsoft.com/azure/azure-monitor/reference/supported-metrics/microsoft-machinelearningservices-workspaces-onlineendpoints-deployments-metrics).
   * @default aggregation 'Maximum' (the fullest instance is the one that gets OOM-killed)
   */
  public metricDeploymentMemory(deployment: string, aggregation: MetricAggregation = 'Maximum'): MetricRef {
    return {
      resourceId: this.deploymentId(deployment),
      namespace: DEPLOYMENT_NAMESPACE,
      name: 'CpuMemoryUtilizationPercentage',
      aggregation,
    };
  }
}
