import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { Construct } from 'constructs';
import { LogAnalytics } from './log-analytics';
import { checkAzureName } from '../core/naming';

export interface DiagnosticsProps {
  /** ARM id of the monitored resource. */
  readonly targetResourceId: string;
  readonly logAnalytics: LogAnalytics;
  /** @default 'to-log-analytics' */
  readonly name?: string;
  /** Log category groups to send. @default ['allLogs'] */
  readonly logCategoryGroups?: readonly string[];
  /** Metric categories to send. @default ['AllMetrics'] */
  readonly metricCategories?: readonly string[];
  /**
   * `Dedicated` writes resource-specific tables where the resource supports them.
   * @default - AzureDiagnostics table (accepted by every resource type)
   */
  readonly destinationType?: 'Dedicated' | 'AzureDiagnostics';
}

/** A diagnostic setting that sends logs and metrics of one resource to Log Analytics. */
export class Diagnostics extends Construct {
  public readonly resource: MonitorDiagnosticSetting;

  constructor(scope: Construct, id: string, props: DiagnosticsProps) {
    super(scope, id);
    const groups = props.logCategoryGroups ?? ['allLogs'];
    const metrics = props.metricCategories ?? ['AllMetrics'];
    if (groups.length === 0 && metrics.length === 0) {
      throw new Error(
        `Diagnostics '${this.node.path}': at least one log category group or metric category is required`,
      );
    }
    this.resource = new MonitorDiagnosticSetting(this, 'Resource', {
      name: checkAzureName('diagnosticSetting', 'diagnostic setting', props.name ?? 'to-log-analytics'),
      targetResourceId: props.targetResourceId,
      logAnalyticsWorkspaceId: props.logAnalytics.workspaceResourceId,
      logAnalyticsDestinationType: props.destinationType,
      enabledLog: groups.map((categoryGroup) => ({ categoryGroup })),
      enabledMetric: metrics.map((category) => ({ category })),
    });
  }
}
