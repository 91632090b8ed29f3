import { LogAnalyticsWorkspace as AzLogAnalyticsWorkspace } from '@cdktf/provider-azurerm/lib/log-analytics-workspace';
import { Construct } from 'constructs';
import { MetricAggregation, MetricRef } from '../core/metric';
import { checkAzureName } from '../core/naming';
import { PlatformResourceProps } from '../core/platform-props';

export interface LogAnalyticsProps extends PlatformResourceProps {
  /** Retention in days, 30-730. @default 30 */
  readonly retentionDays?: number;
  /** Daily ingestion cap in GB; -1 = unlimited. @default -1 */
  readonly dailyQuotaGb?: number;
}

/** Log Analytics workspace (PerGB2018): the sink for diagnostics and workspace-based App Insights. */
export class LogAnalytics extends Construct {
  public readonly resource: AzLogAnalyticsWorkspace;
  /** ARM id (the `workspace_id` other resources reference). */
  public readonly workspaceResourceId: string;
  /** The workspace (customer) GUID used by KQL clients. */
  public readonly customerId: string;
  public readonly workspaceName: string;

  constructor(scope: Construct, id: string, props: LogAnalyticsProps) {
    super(scope, id);
    const retention = props.retentionDays ?? 30;
    const errors: string[] = [];
    if (!Number.isInteger(retention) || retention < 30 || retention > 730) {
      errors.push(`retentionDays must be an integer from 30 to 730, got ${retention}`);
    }
    if (errors.length) throw new Error(`LogAnalytics '${this.node.path}': ${errors.join('; ')}`);
    this.resource = new AzLogAnalyticsWorkspace(this, 'Resource', {
      name: checkAzureName('logAnalyticsWorkspace', 'Log Analytics workspace', props.name),
      resourceGroupName: props.resourceGroup.name,
      location: props.location ?? props.resourceGroup.location,
      sku: 'PerGB2018',
      retentionInDays: retention,
      dailyQuotaGb: props.dailyQuotaGb ?? -1,
      tags: props.tags,
    });
    this.workspaceResourceId = this.resource.id;
    this.customerId = this.resource.workspaceId;
    this.workspaceName = this.resource.name;
  }

  /** A Log Analytics metric (namespace `Microsoft.OperationalInsights/workspaces`). */
  public metric(name: string, aggregation: MetricAggregation = 'Average'): MetricRef {
    return {
      resourceId: this.workspaceResourceId,
      namespace: 'Microsoft.OperationalInsights/workspaces',
      name,
      aggregation,
    };
  }
}
