/**
 * The online endpoint's traffic log in Log Analytics, and the queries that read it.
 *
 * Why this log: it is the endpoint front end's view of every scoring request (table
 * `AmlOnlineEndpointTrafficLog`: `EndpointName`, `DeploymentName`, `ResponseCode` (the final
 * code returned to the client), `ModelStatusCode`, `TotalDurationMs`, ...;
 * https://learn.microsoft.com/azure/azure-monitor/reference/tables/amlonlineendpointtrafficlog).
 * It includes requests the container never saw (throttled 429s, 503s while no instance is ready,
 * timeouts), which the service's own Application Insights telemetry cannot count, and it names the
 * deployment of every request, so a ratio can be computed per deployment and a bad canary shows
 * up as the canary. The log category of `Microsoft.MachineLearningServices/workspaces/onlineEndpoints`
 * is `AmlOnlineEndpointTrafficLog`
 * (https://learn.microsoft.com/azure/azure-monitor/reference/supported-logs/microsoft-machinelearningservices-workspaces-onlineendpoints-logs);
 * `Dedicated` sends it to its resource-specific table of that name instead of AzureDiagnostics.
 * Only this category is sent: the console log repeats the service's JSON log lines (paid twice)
 * and the event log is available in the studio.
 *
 * UNVERIFIED: whether every front-end rejection (e.g. 503 with no live deployment) is logged with
 * an empty `DeploymentName`. Safe choice: the availability query keeps such rows under the
 * dimension value `(unrouted)` instead of dropping them.
 */
import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { Construct } from 'constructs';
import { LogAnalytics } from '../platform/log-analytics';
import { LogQueryRef } from './log-alert';

export const TRAFFIC_LOG_CATEGORY = 'AmlOnlineEndpointTrafficLog';
export const TRAFFIC_LOG_TABLE = 'AmlOnlineEndpointTrafficLog';
/** The dimension column the per-deployment queries return. */
export const DEPLOYMENT_COLUMN = 'DeploymentName';

export interface EndpointTrafficLogProps {
  /** ARM id of the online endpoint. */
  readonly endpointId: string;
  /** The endpoint's name (a literal: it is spliced into KQL). */
  readonly endpointName: string;
  readonly logAnalytics: LogAnalytics;
  /** @default 'traffic-to-log-analytics' */
  readonly name?: string;
}

/** KQL string literal (names here are Azure resource names, but never trust a splice). */
export function kqlLiteral(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export class EndpointTrafficLog extends Construct {
  public readonly diagnosticSetting: MonitorDiagnosticSetting;
  private readonly endpointName: string;
  private readonly workspaceId: string;

  constructor(scope: Construct, id: string, props: EndpointTrafficLogProps) {
    super(scope, id);
    this.endpointName = props.endpointName;
    this.workspaceId = props.logAnalytics.workspaceResourceId;
    this.diagnosticSetting = new MonitorDiagnosticSetting(this, 'Resource', {
      name: props.name ?? 'traffic-to-log-analytics',
      targetResourceId: props.endpointId,
      logAnalyticsWorkspaceId: props.logAnalytics.workspaceResourceId,
      logAnalyticsDestinationType: 'Dedicated',
      enabledLog: [{ category: TRAFFIC_LOG_CATEGORY }],
    });
  }

  /** The endpoint's rows (every query starts here). */
  public baseQuery(): string {
    return `${TRAFFIC_LOG_TABLE}\n| where EndpointName == ${kqlLiteral(this.endpointName)}`;
  }

  /**
   * Server errors (5xx returned to the client) as a percentage of the deployment's requests,
   * per deployment; deployments with fewer than `minRequests` requests in the window are left
   * out (one failure among three requests is not a 33 % error rate worth waking anyone for).
   */
  public queryErrorRatePercent(minRequests: number): LogQueryRef {
    return {
      workspaceId: this.workspaceId,
      query: [
        this.baseQuery(),
        `| where isnotempty(${DEPLOYMENT_COLUMN})`,
        `| summarize requests = count(), errors = countif(toint(ResponseCode) >= 500) by ${DEPLOYMENT_COLUMN}`,
        `| where requests >= ${Math.trunc(minRequests)}`,
        '| extend error_rate_percent = 100.0 * errors / requests',
      ].join('\n'),
      measureColumn: 'error_rate_percent',
      aggregation: 'Maximum',
      dimensions: [DEPLOYMENT_COLUMN],
    };
  }

  /**
   * The share of requests the client got an answer for (neither 5xx nor 429 throttling), per
   * deployment, requests routed to no deployment kept as `(unrouted)`; at least `minRequests`.
   */
  public queryAvailabilityPercent(minRequests: number): LogQueryRef {
    return {
      workspaceId: this.workspaceId,
      query: [
        this.baseQuery(),
        `| extend ${DEPLOYMENT_COLUMN} = iff(isempty(${DEPLOYMENT_COLUMN}), "(unrouted)", ${DEPLOYMENT_COLUMN})`,
        '| extend code = toint(ResponseCode)',
        `| summarize requests = count(), failed = countif(code >= 500 or code == 429) by ${DEPLOYMENT_COLUMN}`,
        `| where requests >= ${Math.trunc(minRequests)}`,
        '| extend availability_percent = 100.0 * (requests - failed) / requests',
      ].join('\n'),
      measureColumn: 'availability_percent',
      aggregation: 'Minimum',
      dimensions: [DEPLOYMENT_COLUMN],
    };
  }

  /** Latency percentiles (ms, as the client saw them) per deployment over time, for charts. */
  public latencyPercentilesQuery(bin = '5m'): string {
    return [
      this.baseQuery(),
      `| where isnotempty(${DEPLOYMENT_COLUMN})`,
      `| summarize p50 = percentile(TotalDurationMs, 50), p95 = percentile(TotalDurationMs, 95), p99 = percentile(TotalDurationMs, 99) by ${DEPLOYMENT_COLUMN}, bin(TimeGenerated, ${bin})`,
      '| order by TimeGenerated asc',
    ].join('\n');
  }

  /** Requests and error rate per deployment over time, for charts. */
  public requestsByDeploymentQuery(bin = '5m'): string {
    return [
      this.baseQuery(),
      `| where isnotempty(${DEPLOYMENT_COLUMN})`,
      `| summarize requests = count(), error_rate_percent = round(100.0 * countif(toint(ResponseCode) >= 500) / count(), 2) by ${DEPLOYMENT_COLUMN}, bin(TimeGenerated, ${bin})`,
      '| order by TimeGenerated asc',
    ].join('\n');
  }
}
