import { ApplicationInsights } from '@cdktf/provider-azurerm/lib/application-insights';
import { Construct } from 'constructs';
import { GrantableResource } from '../core/grants';
import { LogAnalytics } from './log-analytics';
import { MetricAggregation, MetricRef } from '../core/metric';
import { checkAzureName } from '../core/naming';
import { PlatformResourceProps } from '../core/platform-props';

const NAMESPACE = 'microsoft.insights/components';

export interface AppInsightsProps extends PlatformResourceProps {
  /** Workspace-based: telemetry lands in this Log Analytics workspace. */
  readonly logAnalytics: LogAnalytics;
  /** @default 90 */
  readonly retentionDays?: number;
  /**
   * Accept only Entra ID (managed identity) ingestion. The scoring service then needs
   * `grantPublishMetrics` and must authenticate with its identity.
   * @default false - the connection string alone can ingest
   */
  readonly localAuthenticationDisabled?: boolean;
}

/** Workspace-based Application Insights for the scoring service. */
/** Roles that can be granted on Application Insights. */
export type AppInsightsRole = 'Monitoring Metrics Publisher';

export class AppInsights extends GrantableResource<AppInsightsRole> {
  public readonly resource: ApplicationInsights;
  public readonly appInsightsId: string;
  /** Connection string for the service (`APPLICATIONINSIGHTS_CONNECTION_STRING`); sensitive. */
  public readonly connectionString: string;
  public readonly appId: string;

  constructor(scope: Construct, id: string, props: AppInsightsProps) {
    super(scope, id);
    this.resource = new ApplicationInsights(this, 'Resource', {
      name: checkAzureName('applicationInsights', 'Application Insights', props.name),
      resourceGroupName: props.resourceGroup.name,
      location: props.location ?? props.resourceGroup.location,
      applicationType: 'web',
      workspaceId: props.logAnalytics.workspaceResourceId,
      retentionInDays: props.retentionDays ?? 90,
      localAuthenticationDisabled: props.localAuthenticationDisabled ?? false,
      tags: props.tags,
    });
    this.appInsightsId = this.resource.id;
    this.connectionString = this.resource.connectionString;
    this.appId = this.resource.appId;
  }

  /** Any Application Insights metric, e.g. `requests/count`. */
  public metric(name: string, aggregation: MetricAggregation = 'Average'): MetricRef {
    return { resourceId: this.appInsightsId, namespace: NAMESPACE, name, aggregation };
  }

  /** Server request duration in ms. @default aggregation 'Average' */
  public metricRequestDuration(aggregation: MetricAggregation = 'Average'): MetricRef {
    return this.metric('requests/duration', aggregation);
  }

  /** Failed requests. @default aggregation 'Count' */
  public metricFailedRequests(aggregation: MetricAggregation = 'Count'): MetricRef {
    return this.metric('requests/failed', aggregation);
  }

  /** Server exceptions. @default aggregation 'Count' */
  public metricServerExceptions(aggregation: MetricAggregation = 'Count'): MetricRef {
    return this.metric('exceptions/server', aggregation);
  }

  /** Roles granted through {@link grant} apply to this resource. */
  protected get grantScopeId(): string {
    return this.appInsightsId;
  }
}
