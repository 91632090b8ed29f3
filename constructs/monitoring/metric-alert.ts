/**
 * A metric alert built from a {@link MetricRef}: `scopes: [ref.resourceId]`, one static criterion
 * on the ref's namespace, name, aggregation and dimensions. The stack picks threshold, severity,
 * frequency and window; this construct only refuses values Azure refuses.
 *
 * Facts (azurerm v4.55.0 internal/services/monitor/monitor_metric_alert_resource.go):
 * `frequency` one of PT1M PT5M PT15M PT30M PT1H (default PT1M); `window_size` one of PT1M PT5M
 * PT15M PT30M PT1H PT6H PT12H P1D (default PT5M); `severity` 0..4 (default 3); `auto_mitigate`
 * default true; criterion `operator` Equals GreaterThan GreaterThanOrEqual LessThan
 * LessThanOrEqual; dimension operator Include Exclude StartsWith with at least one value (`*`
 * splits the alert by every value of the dimension, so each value is its own alert instance:
 * the deployment that breaches is named in the alert).
 */
import { MonitorMetricAlert } from '@cdktf/provider-azurerm/lib/monitor-metric-alert';
import { Construct } from 'constructs';
import { MetricRef } from '../core/metric';

export const METRIC_ALERT_FREQUENCIES = ['PT1M', 'PT5M', 'PT15M', 'PT30M', 'PT1H'] as const;
export type MetricAlertFrequency = (typeof METRIC_ALERT_FREQUENCIES)[number];
export const METRIC_ALERT_WINDOWS = [
  'PT1M',
  'PT5M',
  'PT15M',
  'PT30M',
  'PT1H',
  'PT6H',
  'PT12H',
  'P1D',
] as const;
export type MetricAlertWindow = (typeof METRIC_ALERT_WINDOWS)[number];
export type ThresholdOperator =
  | 'GreaterThan'
  | 'GreaterThanOrEqual'
  | 'LessThan'
  | 'LessThanOrEqual'
  | 'Equals';
/** 0 critical, 1 error, 2 warning, 3 informational, 4 verbose. */
export type AlertSeverity = 0 | 1 | 2 | 3 | 4;

const MINUTES: Readonly<Record<string, number>> = {
  PT1M: 1,
  PT5M: 5,
  PT10M: 10,
  PT15M: 15,
  PT30M: 30,
  PT45M: 45,
  PT1H: 60,
  PT2H: 120,
  PT3H: 180,
  PT4H: 240,
  PT5H: 300,
  PT6H: 360,
  PT12H: 720,
  P1D: 1440,
  P2D: 2880,
};
/** Minutes of one of the ISO-8601 durations Azure Monitor alerts accept (undefined otherwise). */
export const alertDurationMinutes = (d: string): number | undefined => MINUTES[d];

export interface MetricAlertProps {
  readonly name: string;
  readonly resourceGroupName: string;
  /** What to watch: resource, namespace, metric, aggregation and dimension filters. */
  readonly metric: MetricRef;
  readonly operator: ThresholdOperator;
  readonly threshold: number;
  readonly severity: AlertSeverity;
  /** How often the rule runs. */
  readonly frequency: MetricAlertFrequency;
  /** The period the aggregation covers; at least `frequency`. */
  readonly windowSize: MetricAlertWindow;
  /** Resolve by itself once the condition clears. @default true */
  readonly autoMitigate?: boolean;
  /** Action group ids notified when it fires (and resolves). */
  readonly actionGroupIds: readonly string[];
  /** What it means and what to do first. */
  readonly description: string;
  /** @default - none */
  readonly tags?: Readonly<Record<string, string>>;
}

/** Problems Azure would reject (pure; exported for tests). */
export function metricAlertErrors(
  props: Pick<MetricAlertProps, 'frequency' | 'windowSize' | 'severity' | 'threshold' | 'metric'>,
): string[] {
  const errors: string[] = [];
  if (!METRIC_ALERT_FREQUENCIES.includes(props.frequency)) {
    errors.push(`frequency '${props.frequency}' must be one of ${METRIC_ALERT_FREQUENCIES.join(', ')}`);
  }
  if (!METRIC_ALERT_WINDOWS.includes(props.windowSize)) {
    errors.push(`windowSize '${props.windowSize}' must be one of ${METRIC_ALERT_WINDOWS.join(', ')}`);
  }
  const f = METRIC_ALERT_FREQUENCIES.includes(props.frequency)
    ? alertDurationMinutes(props.frequency)
    : undefined;
  const w = METRIC_ALERT_WINDOWS.includes(props.windowSize)
    ? alertDurationMinutes(props.windowSize)
    : undefined;
  if (f !== undefined && w !== undefined && w < f) {
    errors.push(`windowSize ${props.windowSize} must be at least the frequency ${props.frequency}`);
  }
  if (!Number.isInteger(props.severity) || props.severity < 0 || props.severity > 4) {
    errors.push(`severity ${props.severity} must be an integer 0..4`);
  }
  if (!Number.isFinite(props.threshold)) errors.push(`threshold ${props.threshold} must be a finite number`);
  for (const [name, values] of Object.entries(props.metric.dimensions ?? {})) {
    if (values.length === 0)
      errors.push(`dimension '${name}' needs at least one value ('*' for every value)`);
  }
  return errors;
}

export class MetricAlert extends Construct {
  public readonly resource: MonitorMetricAlert;
  public readonly alertId: string;

  constructor(scope: Construct, id: string, props: MetricAlertProps) {
    super(scope, id);
    const errors = metricAlertErrors(props);
    if (errors.length > 0) throw new Error(`MetricAlert '${this.node.path}':\n- ${errors.join('\n- ')}`);
    const m = props.metric;
    this.resource = new MonitorMetricAlert(this, 'Resource', {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      scopes: [m.resourceId],
      description: props.description,
      severity: props.severity,
      frequency: props.frequency,
      windowSize: props.windowSize,
      autoMitigate: props.autoMitigate ?? true,
      enabled: true,
      criteria: [
        {
          metricNamespace: m.namespace,
          metricName: m.name,
          aggregation: m.aggregation,
          operator: props.operator,
          threshold: props.threshold,
          dimension: Object.entries(m.dimensions ?? {}).map(([name, values]) => ({
            name,
            operator: 'Include',
            values: [...values],
          })),
        },
      ],
      action: props.actionGroupIds.map((actionGroupId) => ({ actionGroupId })),
      tags: props.tags ? { ...props.tags } : undefined,
    });
    this.alertId = this.resource.id;
  }
}
