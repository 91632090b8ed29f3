/**
 * Azure Monitor autoscale for one online deployment (FACTS.md §5, PITFALLS.md §1):
 * target = the deployment's ARM id, CPU rules on `CpuUtilizationPercentage` (Microsoft's sample:
 * scale out above 70 % average over 5 minutes, in below 25 %). The original ran 1 to 10 instances.
 * Autoscale rewrites the deployment's `sku.capacity`, so the deployment must ignore that path
 * (OnlineEndpoint `autoscaleOwnsCapacity`). Scale-out of a managed endpoint reportedly takes
 * 12-18 minutes: size `minInstances` for the expected peak, treat autoscale as slow relief.
 */
import { MonitorAutoscaleSetting } from '@cdktf/provider-azurerm/lib/monitor-autoscale-setting';
import { Construct } from 'constructs';
import { DEPLOYMENT_NAMESPACE } from './online-endpoint';
import { AutoscaleSettings, autoscaleErrors, resolveAutoscale } from './autoscale-settings';

export interface DeploymentAutoscaleProps {
  /** Autoscale setting name (unique in the resource group). */
  readonly name: string;
  readonly resourceGroupName: string;
  readonly location: string;
  /** ARM id of the online deployment. */
  readonly deploymentId: string;
  /** Starting/default instance count (the rollout's instanceCount), clamped into min..max. */
  readonly defaultInstances: number;
  /** @default - see {@link AutoscaleSettings} */
  readonly settings?: AutoscaleSettings;
  /** @default - none */
  readonly tags?: Record<string, string>;
}

export class DeploymentAutoscale extends Construct {
  public readonly resource: MonitorAutoscaleSetting;

  constructor(scope: Construct, id: string, props: DeploymentAutoscaleProps) {
    super(scope, id);
    const errors = autoscaleErrors('autoscale', props.settings ?? {});
    if (errors.length > 0)
      throw new Error(`DeploymentAutoscale '${this.node.path}':\n- ${errors.join('\n- ')}`);
    const s = resolveAutoscale(props.settings);
    const cpu = (operator: 'GreaterThan' | 'LessThan', threshold: number) => ({
      metricName: 'CpuUtilizationPercentage',
      metricNamespace: DEPLOYMENT_NAMESPACE,
      metricResourceId: props.deploymentId,
      timeGrain: 'PT1M',
      statistic: 'Average',
      timeWindow: 'PT5M',
      timeAggregation: 'Average',
      operator,
      threshold,
    });
    this.resource = new MonitorAutoscaleSetting(this, 'Resource', {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      targetResourceId: props.deploymentId,
      enabled: true,
      tags: props.tags,
      profile: [
        {
          name: 'cpu',
          capacity: {
            default: Math.min(s.maxInstances, Math.max(s.minInstances, props.defaultInstances)),
            minimum: s.minInstances,
            maximum: s.maxInstances,
          },
          rule: [
            {
              metricTrigger: cpu('GreaterThan', s.scaleOutCpuPercent),
              scaleAction: {
                direction: 'Increase',
                type: 'ChangeCount',
                value: s.scaleOutBy,
                cooldown: s.cooldown,
              },
            },
            {
              metricTrigger: cpu('LessThan', s.scaleInCpuPercent),
              scaleAction: { direction: 'Decrease', type: 'ChangeCount', value: 1, cooldown: s.cooldown },
            },
          ],
        },
      ],
    });
  }
}
