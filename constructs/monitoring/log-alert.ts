/**
 * A log search (scheduled query) alert on a Log Analytics workspace, for rules only a query can
 * express: ratios (error rate, availability) and custom metrics with dimensions the platform
 * metrics lack (the drift job's `model`).
 *
 * Facts (azurerm v4.55.0 internal/services/monitor/monitor_scheduled_query_rules_alert_v2_resource.go):
 * exactly one scope; `evaluation_frequency` PT1M PT5M PT10M PT15M PT30M PT45M PT1H..PT6H P1D;
 * `window_duration` the same plus P2D; `severity` 0..4; `auto_mitigation_enabled` default false
 * and refused together with `mute_actions_after_alert_duration`; criterion `operator` Equal
 * GreaterThan GreaterThanOrEqual LessThan LessThanOrEqual; `time_aggregation_method` Count Average
 * Minimum Maximum Total; `metric_measure_column` names the value column (required for every
 * aggregation but Count); `dimension` (name, operator Include|Exclude, values; `*` = every value)
 * splits the rule so each value fires on its own; `failing_periods` 1..6 of 1..6.
 */
import { MonitorScheduledQueryRulesAlertV2 } from '@cdktf/provider-azurerm/lib/monitor-scheduled-query-rules-alert-v2';
import { Construct } from 'constructs';
import { alertDurationMinutes, AlertSeverity } from './metric-alert';

export const LOG_ALERT_FREQUENCIES = [
  'PT1M',
  'PT5M',
  'PT10M',
  'PT15M',
  'PT30M',
  'PT45M',
  'PT1H',
  'PT2H',
  'PT3H',
  'PT4H',
  'PT5H',
  'PT6H',
  'P1D',
] as const;
export type LogAlertFrequency = (typeof LOG_ALERT_FREQUENCIES)[number];
export const LOG_ALERT_WINDOWS = [...LOG_ALERT_FREQUENCIES, 'P2D'] as const;
export type LogAlertWindow = (typeof LOG_ALERT_WINDOWS)[number];
export type LogAlertOperator =
  | 'GreaterThan'
  | 'GreaterThanOrEqual'
  | 'LessThan'
  | 'LessThanOrEqual'
  | 'Equal';
export type LogAlertAggregation = 'Count' | 'Average' | 'Minimum' | 'Maximum' | 'Total';

/** A query as data, returned by the constructs that own the logs (e.g. EndpointTrafficLog). */
export interface LogQueryRef {
  /** ARM id of the Log Analytics workspace the query runs in (the alert's scope). */
  readonly workspaceId: string;
  /** KQL returning one row per dimension value with the measure column. */
  readonly query: string;
  /** The value compared with the threshold. */
  readonly measureColumn: string;
  /** How rows of one dimension value in the window are combined. */
  readonly aggregation: LogAlertAggregation;
  /** Columns the rule splits by (`*`: each value is its own alert). @default - no split */
  readonly dimensions?: readonly string[];
}

export interface LogAlertProps {
  readonly name: string;
  readonly resourceGroupName: string;
  readonly location: string;
  readonly query: LogQueryRef;
  readonly operator: LogAlertOperator;
  readonly threshold: number;
  readonly severity: AlertSeverity;
  readonly evaluationFrequency: LogAlertFrequency;
  /** The time range the query covers; at least `evaluationFrequency`. */
  readonly windowDuration: LogAlertWindow;
  /**
   * Stateful: fire once, resolve when the condition clears. Off, the rule notifies on every
   * evaluation that matches. @default true
   */
  readonly autoMitigate?: boolean;
  readonly actionGroupIds: readonly string[];
  readonly description: string;
  /**
   * Create the rule without Azure running the query first. Needed when a table the query reads
   * may not exist yet in a new workspace: Azure refuses such a rule with "Failed to resolve table
   * or column expression" until the first rows arrive (the Azure REST spec describes
   * `skipQueryValidation` for exactly this: Azure/azure-rest-api-specs#32650; hit with
   * `AppMetrics` on a fresh workspace in learntocloud/learn-to-cloud-app#586). The price: a broken
   * query is found only when the rule runs, so queries must be pinned by tests.
   * @default false
   */
  readonly skipQueryValidation?: boolean;
  /** @default - none */
  readonly tags?: Readonly<Record<string, string>>;
}

/** Problems Azure would reject (pure; exported for tests). */
export function logAlertErrors(
  props: Pick<LogAlertProps, 'evaluationFrequency' | 'windowDuration' | 'severity' | 'threshold' | 'query'>,
): string[] {
  const errors: string[] = [];
  if (!LOG_ALERT_FREQUENCIES.includes(props.evaluationFrequency)) {
    errors.push(
      `evaluationFrequency '${props.evaluationFrequency}' must be one of ${LOG_ALERT_FREQUENCIES.join(', ')}`,
    );
  }
  if (!LOG_ALERT_WINDOWS.includes(props.windowDuration)) {
    errors.push(`windowDuration '${props.windowDuration}' must be one of ${LOG_ALERT_WINDOWS.join(', ')}`);
  }
  const f = LOG_ALERT_FREQUENCIES.includes(props.evaluationFrequency)
    ? alertDurationMinutes(props.evaluationFrequency)
    : undefined;
  const w = LOG_ALERT_WINDOWS.includes(props.windowDuration)
    ? alertDurationMinutes(props.windowDuration)
    : undefined;
  if (f !== undefined && w !== undefined && w < f) {
    errors.push(
      `windowDuration ${props.windowDuration} must be at least the evaluationFrequency ${props.evaluationFrequency}`,
    );
  }
  if (!Number.isInteger(props.severity) || props.severity < 0 || props.severity > 4) {
    errors.push(`severity ${props.severity} must be an integer 0..4`);
  }
  if (!Number.isFinite(props.threshold)) errors.push(`threshold ${props.threshold} must be a finite number`);
  if (props.query.query.trim() === '') errors.push('query must not be empty');
  if (props.query.aggregation !== 'Count' && props.query.measureColumn.trim() === '') {
    errors.push(`measureColumn is required for the ${props.query.aggregation} aggregation`);
  }
  return errors;
}

export class LogAlert extends Construct {
  public readonly resource: MonitorScheduledQueryRulesAlertV2;
  public readonly alertId: string;

  constructor(scope: Construct, id: string, props: LogAlertProps) {
    super(scope, id);
    const errors = logAlertErrors(props);
    if (errors.length > 0) throw new Error(`LogAlert '${this.node.path}':\n- ${errors.join('\n- ')}`);
    const q = props.query;
    this.resource = new MonitorScheduledQueryRulesAlertV2(this, 'Resource', {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      scopes: [q.workspaceId],
      description: props.description,
      severity: props.severity,
      evaluationFrequency: props.evaluationFrequency,
      windowDuration: props.windowDuration,
      autoMitigationEnabled: props.autoMitigate ?? true,
      skipQueryValidation: props.skipQueryValidation ?? false,
      enabled: true,
      criteria: [
        {
          query: q.query,
          timeAggregationMethod: q.aggregation,
          metricMeasureColumn: q.aggregation === 'Count' ? undefined : q.measureColumn,
          operator: props.operator,
          threshold: props.threshold,
          dimension: (q.dimensions ?? []).map((name) => ({ name, operator: 'Include', values: ['*'] })),
        },
      ],
      action: { actionGroups: [...props.actionGroupIds] },
      tags: props.tags ? { ...props.tags } : undefined,
    });
    this.alertId = this.resource.id;
  }
}
