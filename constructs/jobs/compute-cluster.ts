/**
 * An Azure ML compute cluster (`workspaces/computes`, computeType `AmlCompute`) that scales to
 * zero: minimum 0 nodes, released after an idle time, so a weekly job costs only its own minutes.
 *
 * Schema: `Compute` discriminated by `computeType`; `AmlComputeProperties.scaleSettings`
 * {maxNodeCount (required), minNodeCount, nodeIdleTimeBeforeScaleDown (ISO-8601 duration)};
 * compute names match `^[a-zA-Z](?![a-zA-Z0-9-]*-\d+$)[a-zA-Z0-9\-]{2,23}$`
 * (schemas/azure-api, machinelearningservices-2026-05-01). The same shape as Microsoft's
 * mlops-v2 Terraform cluster (0..n nodes, `PT120S` idle; ../shared/azure-api/FACTS.md §7).
 *
 * Jobs run as the cluster's system-assigned identity (`identity: Managed` on the job), so data
 * access is granted to that identity with the grantX() methods of storage and registries, never
 * with keys. `disableLocalAuth` keeps key-based access off.
 */
import { Construct } from 'constructs';
import { AzapiResource, mlType } from '../azapi';
import { MlWorkspace } from '../platform/ml-workspace';
import { formatValue as show } from '../core/values';

export const COMPUTE_TYPE = mlType('workspaces/computes');

export interface ComputeClusterProps {
  readonly workspace: MlWorkspace;
  /** Cluster name (3-24 letters, digits, `-`; starts with a letter; not ending in `-<digits>`). @default 'cpu-cluster' */
  readonly name?: string;
  /** VM size of a node, e.g. `Standard_DS3_v2`. */
  readonly vmSize: string;
  /** Maximum nodes, 1-100. The minimum is always 0. */
  readonly maxNodes: number;
  /** Minutes a node may sit idle before it is released, 1-1440. @default 10 */
  readonly idleMinutesBeforeScaleDown?: number;
  /** @default 'Dedicated' */
  readonly vmPriority?: 'Dedicated' | 'LowPriority';
  /** @default - the workspace's location */
  readonly location?: string;
  /** @default - no tags (the tagging Aspect does not touch azapi resources) */
  readonly tags?: Readonly<Record<string, string>>;
}

const NAME = /^[a-zA-Z](?![a-zA-Z0-9-]*-\d+$)[a-zA-Z0-9-]{2,23}$/;
const VM_SIZE = /^(Standard|Basic)_[A-Za-z0-9_]+$/;
const isIntIn = (v: unknown, min: number, max: number): boolean =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

/**
 * Problems with the cluster inputs, as `<field> = <value>: <rule>` (pure; the environment
 * settings check and the construct both use it).
 */
export function computeClusterErrors(
  props: Pick<
    ComputeClusterProps,
    'name' | 'vmSize' | 'maxNodes' | 'idleMinutesBeforeScaleDown' | 'vmPriority'
  >,
): string[] {
  const errors: string[] = [];
  if (props.name !== undefined && !NAME.test(props.name)) {
    errors.push(
      `name = ${show(props.name)}: must be 3-24 letters, digits or '-', start with a letter and not end in '-<digits>'`,
    );
  }
  if (typeof props.vmSize !== 'string' || !VM_SIZE.test(props.vmSize)) {
    errors.push(`vmSize = ${show(props.vmSize)}: must be an Azure VM size such as 'Standard_DS3_v2'`);
  }
  if (!isIntIn(props.maxNodes, 1, 100)) {
    errors.push(`maxNodes = ${show(props.maxNodes)}: must be an integer from 1 to 100`);
  }
  if (props.idleMinutesBeforeScaleDown !== undefined && !isIntIn(props.idleMinutesBeforeScaleDown, 1, 1440)) {
    errors.push(
      `idleMinutesBeforeScaleDown = ${show(props.idleMinutesBeforeScaleDown)}: must be an integer from 1 to 1440`,
    );
  }
  if (props.vmPriority !== undefined && !['Dedicated', 'LowPriority'].includes(props.vmPriority)) {
    errors.push(`vmPriority = ${show(props.vmPriority)}: must be 'Dedicated' or 'LowPriority'`);
  }
  return errors;
}

export class ComputeCluster extends Construct {
  public readonly resource: AzapiResource;
  /** ARM id of the compute: a job's `computeId`. */
  public readonly computeId: string;
  public readonly computeName: string;
  /** Object id of the cluster's system-assigned identity (the identity jobs run as). */
  public readonly principalId: string;
  public readonly maxNodes: number;

  constructor(scope: Construct, id: string, props: ComputeClusterProps) {
    super(scope, id);
    const errors = computeClusterErrors(props);
    if (errors.length > 0) {
      throw new Error(
        `ComputeCluster '${this.node.path}' (${errors.length} problem(s)):\n- ${errors.join('\n- ')}`,
      );
    }
    const name = props.name ?? 'cpu-cluster';
    const idleSeconds = (props.idleMinutesBeforeScaleDown ?? 10) * 60;
    this.maxNodes = props.maxNodes;
    this.resource = new AzapiResource(this, 'Resource', {
      type: COMPUTE_TYPE,
      name,
      parentId: props.workspace.workspaceId,
      location: props.location ?? props.workspace.location,
      identity: { type: 'SystemAssigned' },
      tags: props.tags ? { ...props.tags } : undefined,
      body: {
        properties: {
          computeType: 'AmlCompute',
          description: `Job cluster: 0..${props.maxNodes} x ${props.vmSize}, scales to zero`,
          disableLocalAuth: true,
          properties: {
            vmSize: props.vmSize,
            vmPriority: props.vmPriority ?? 'Dedicated',
            osType: 'Linux',
            // No SSH into nodes: jobs are the only way in.
            remoteLoginPortPublicAccess: 'Disabled',
            scaleSettings: {
              minNodeCount: 0,
              maxNodeCount: props.maxNodes,
              nodeIdleTimeBeforeScaleDown: `PT${idleSeconds}S`,
            },
          },
        },
      },
    });
    this.computeId = this.resource.id;
    this.computeName = name;
    this.principalId = this.resource.identityPrincipalId;
  }
}
