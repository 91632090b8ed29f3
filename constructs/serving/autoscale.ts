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
import { MetricAggregation, MetricRef } from '../core/metric';
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
  /** The most instances autoscale may run (the profile's maximum). */
  public readonly maxInstances: number;
  /** The fewest instances autoscale keeps (the profile's minimum). */
  public readonly minInstances: number;

  constructor(scope: Construct, id: string, props: DeploymentAutoscaleProps) {
    super(scope, id);
    const errors = autoscaleErrors('autoscale', props.settings ?? {});
    if (errors.length > 0)
      throw new Error(`DeploymentAutoscale '${this.node.path}':\n- ${errors.join('\n- ')}`);
    const s = resolveAutoscale(props.settings);
    this.maxInstances = s.maxInstances;
    this.minInstances = s.minInstances;
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

  /**
   * The instance count autoscale saw when it last ran (`ObservedCapacity`, no dimensions:
   * https://learn.microsoft.com/azure/azure-monitor/reference/supported-metrics/microsoft-insights-autoscalesettings-metrics).
   * @default aggregation 'Minimum' (a window whose minimum is the maximum count never scaled down)
   */
  public metricObservedCapacity(aggregation: MetricAggregation = 'Minimum'): MetricRef {
    return {
      resourceId: this.resource.id,
      namespace: 'microsoft.insights/autoscalesettings',
      name: 'ObservedCapacity',
      aggregation,
    };
  }
}
