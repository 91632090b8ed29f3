/**
 * What watches the model in one environment: the action group (receivers from
 * `alerts.receivers`), the alerts (thresholds from `alerts.thresholds`, defaults the original's),
 * the endpoint's traffic log, the model-monitoring workbook and the daily drift job.
 * Built by FraudStack after Serving and Jobs.
 *
 * Every alert, and why it is built the way it is (severity: 1 error = clients affected now,
 * 2 warning = act today; auto-mitigation on everywhere, so an alert resolves by itself and a
 * receiver sees "resolved" instead of a stale incident):
 *
 * | alert            | signal                                          | kind   | split by       | rule (default)   | window | every | sev |
 * |------------------|-------------------------------------------------|--------|----------------|------------------|--------|-------|-----|
 * | error-rate       | 5xx / requests, AmlOnlineEndpointTrafficLog      | log    | DeploymentName | > 5 %            | 5 min  | 5 min | 1   |
 * | availability     | not (5xx or 429) / requests, same log            | log    | DeploymentName | < 99 %           | 5 min  | 5 min | 1   |
 * | latency-p95      | RequestLatency_P95 (endpoint metric), Average     | metric | deployment     | > 2000 ms        | 5 min  | 1 min | 2   |
 * | drift            | latest model_drift_detected (AppMetrics)          | log    | model          | > 0              | 2 days | 1 h   | 2   |
 * | canary-rollback  | canary_rollback signals (AppMetrics)              | log    | canary         | > 0              | 30 min | 5 min | 1   |
 * | <dep>-cpu        | CpuUtilizationPercentage (deployment), Average    | metric | one per dep.   | > 85 %           | 15 min | 5 min | 2   |
 * | <dep>-memory     | CpuMemoryUtilizationPercentage, Maximum           | metric | one per dep.   | > 90 %           | 5 min  | 1 min | 2   |
 * | <dep>-at-max     | autoscale ObservedCapacity, Minimum               | metric | one per dep.   | >= max instances | 30 min | 5 min | 2   |
 *
 * - Ratios (error rate, availability) need a query: a metric alert compares one aggregated value
 *   with a threshold and cannot divide two series. The traffic log is the front end's view: it
 *   counts requests the container never saw (constructs/monitoring/endpoint-traffic-log.ts).
 *   Windows with fewer than `minRequests` requests give no verdict.
 * - P95 latency is a platform metric with a `deployment` dimension (Microsoft.MachineLearningServices/
 *   workspaces/onlineEndpoints metrics: RequestLatency_P50/P90/P95/P99, RequestsPerMinute with
 *   deployment, statusCode, statusCodeClass; learn.microsoft.com/azure/azure-monitor/reference/
 *   supported-metrics/microsoft-machinelearningservices-workspaces-onlineendpoints-metrics), so a
 *   metric alert split by `deployment` (`*`) names the slow deployment; every minute because a
 *   metric alert costs the same at any frequency and latency regressions hurt at once.
 * - Drift comes once a day from the drift job. The rule reads the LATEST value per model (not the
 *   max over the window), so it resolves with the first clean run; the 2-day window keeps it
 *   firing if one run is missed instead of resolving on no data.
 * - CPU, memory and capacity exist only per deployment resource (dimension instanceId;
 *   ...-onlineendpoints-deployments-metrics), hence one alert per deployment. CPU looks at 15
 *   minutes because autoscale (70 % over 5 min) should have relieved it by then; memory looks at
 *   the fullest instance because that one is OOM-killed. The "stuck at max" alert reads the
 *   deployment's autoscale setting (`ObservedCapacity`, microsoft.insights/autoscalesettings) and
 *   exists only where autoscale can move (max > min).
 */
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { Construct } from 'constructs';
import { CodeWriter } from '../constructs/jobs';
import {
  ActionGroup,
  EndpointTrafficLog,
  kqlLiteral,
  LogAlert,
  LogQueryRef,
  MetricAlert,
  Workbook,
  WorkbookItem,
} from '../constructs/monitoring';
import { AppInsights } from '../constructs/platform/app-insights';
import { LogAnalytics } from '../constructs/platform/log-analytics';
import { MlWorkspace } from '../constructs/platform/ml-workspace';
import type { IModelRegistry } from '../constructs/platform/model-registry';
import { SecureStorage } from '../constructs/platform/storage';
import { DeploymentAutoscale } from '../constructs/serving/autoscale';
import { OnlineEndpoint } from '../constructs/serving/online-endpoint';
import { EnvironmentRollout, modelRefOf } from '../constructs/serving/rollout-validation';
import { canaryRollbackKql } from '../model/canary/rollback-signal';
import { DRIFT_METRIC_CONTRACT } from '../model/drift/metrics';
import { TELEMETRY_NAMES } from '../service/telemetry/service-telemetry';
import { DriftJob } from './drift-job';
import { AlertSettings, AlertThresholds, DEFAULT_ALERT_THRESHOLDS } from './environments';
import { Jobs } from './jobs';

export interface MonitoringProps {
  readonly envName: string;
  /** Short product prefix (alert and action group names). */
  readonly namePrefix: string;
  /** `alerts` of the environment settings, already checked by stacks/configuration.ts. @default - no receivers, default thresholds */
  readonly settings?: AlertSettings;
  readonly location: string;
  readonly resourceGroup: ResourceGroup;
  readonly logAnalytics: LogAnalytics;
  readonly appInsights: AppInsights;
  readonly workspace: MlWorkspace;
  readonly storage: SecureStorage;
  readonly endpoint: OnlineEndpoint;
  /** Deployment name -> its autoscale setting (empty when autoscale is off). */
  readonly autoscale: Readonly<Record<string, DeploymentAutoscale>>;
  readonly rollout: EnvironmentRollout;
  /** Deployment name -> local model package folder (dev), as in the serving settings. @default - none */
  readonly localModelPackages?: Readonly<Record<string, string>>;
  readonly modelRegistry: IModelRegistry;
  readonly jobs: Jobs;
  /** Writes the drift job's code asset at synth. */
  readonly writeDriftCode: CodeWriter;
  /** @default - none */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * The deployment whose model the drift job checks: the one with the most live traffic (the
 * stable side), the first declared on a tie or with no live traffic yet; undefined without
 * deployments.
 */
export function stableDeployment(rollout: EnvironmentRollout): string | undefined {
  let best: string | undefined;
  for (const name of Object.keys(rollout.deployments)) {
    if (best === undefined || (rollout.traffic[name] ?? 0) > (rollout.traffic[best] ?? 0)) best = name;
  }
  return best;
}

/** Thresholds with the defaults filled in. */
export const resolveThresholds = (t: AlertThresholds | undefined): Required<AlertThresholds> => ({
  ...DEFAULT_ALERT_THRESHOLDS,
  ...Object.fromEntries(Object.entries(t ?? {}).filter(([, v]) => v !== undefined)),
});

export class Monitoring extends Construct {
  public readonly actionGroup: ActionGroup;
  public readonly trafficLog: EndpointTrafficLog;
  public readonly errorRateAlert: LogAlert;
  public readonly availabilityAlert: LogAlert;
  public readonly latencyAlert: MetricAlert;
  public readonly driftAlert: LogAlert;
  /** Fires the action group when `npm run canary -- notify` reports a canary to roll back. */
  public readonly canaryRollbackAlert: LogAlert;
  /** Deployment name -> its CPU, memory and (with autoscale) stuck-at-max alerts. */
  public readonly deploymentAlerts: Readonly<
    Record<string, { readonly cpu: MetricAlert; readonly memory: MetricAlert; readonly atMax?: MetricAlert }>
  >;
  public readonly workbook: Workbook;
  /** The daily drift job; absent when the endpoint has no deployment. */
  public readonly driftJob?: DriftJob;
  public readonly thresholds: Required<AlertThresholds>;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const t = resolveThresholds(props.settings?.thresholds);
    this.thresholds = t;
    const tags = props.tags ? { ...props.tags } : undefined;
    const rg = props.resourceGroup.name;
    const base = `${props.namePrefix}-${props.envName}`;
    const endpoint = props.endpoint;

    this.actionGroup = new ActionGroup(this, 'ActionGroup', {
      name: `ag-${base}`,
      // 1..12 characters, shown in e-mail subjects: 'fraudstaging' fits.
      shortName: `${props.namePrefix}${props.envName}`.slice(0, 12),
      resourceGroupName: rg,
      receivers: props.settings?.receivers,
      tags,
    });
    const actionGroupIds = [this.actionGroup.actionGroupId];

    this.trafficLog = new EndpointTrafficLog(this, 'EndpointTrafficLog', {
      endpointId: endpoint.endpointId,
      endpointName: endpoint.endpointName,
      logAnalytics: props.logAnalytics,
    });
    const logAlert = (
      alertId: string,
      name: string,
      query: LogQueryRef,
      rule: Pick<
        ConstructorParameters<typeof LogAlert>[2],
        'operator' | 'threshold' | 'severity' | 'evaluationFrequency' | 'windowDuration' | 'description'
      >,
    ): LogAlert =>
      new LogAlert(this, alertId, {
        name: `${base}-${name}`,
        resourceGroupName: rg,
        location: props.location,
        query,
        autoMitigate: true,
        // The traffic log's and AppMetrics' tables appear in a new workspace only with their first
        // rows (after the first request, after the first drift run); validated queries would fail
        // the first apply. The queries are pinned by __tests__/stacks/monitoring.test.ts instead.
        skipQueryValidation: true,
        actionGroupIds,
        tags,
        ...rule,
      });

    this.errorRateAlert = logAlert(
      'ErrorRate',
      'error-rate',
      this.trafficLog.queryErrorRatePercent(t.minRequests),
      {
        operator: 'GreaterThan',
        threshold: t.errorRatePercent,
        severity: 1,
        evaluationFrequency: 'PT5M',
        windowDuration: 'PT5M',
        description: `A deployment answered more than ${t.errorRatePercent} % of its requests with a server error (5xx) over 5 minutes (at least ${t.minRequests} requests). The DeploymentName dimension names it; a canary: roll it back in stacks/rollout.ts.`,
      },
    );
    this.availabilityAlert = logAlert(
      'Availability',
      'availability',
      this.trafficLog.queryAvailabilityPercent(t.minRequests),
      {
        operator: 'LessThan',
        threshold: t.availabilityPercent,
        severity: 1,
        evaluationFrequency: 'PT5M',
        windowDuration: 'PT5M',
        description: `Fewer than ${t.availabilityPercent} % of the requests got an answer (not 5xx, not 429 throttling) over 5 minutes, as the endpoint's front end saw them. '(unrouted)' means requests no deployment took.`,
      },
    );
    this.latencyAlert = new MetricAlert(this, 'LatencyP95', {
      name: `${base}-latency-p95`,
      resourceGroupName: rg,
      metric: endpoint.metricRequestLatencyP95(['*']),
      operator: 'GreaterThan',
      threshold: t.p95LatencyMs,
      severity: 2,
      frequency: 'PT1M',
      windowSize: 'PT5M',
      autoMitigate: true,
      actionGroupIds,
      description: `A deployment's P95 request latency stayed above ${t.p95LatencyMs} ms over 5 minutes (the deployment dimension names it).`,
      tags,
    });
    this.driftAlert = logAlert('Drift', 'drift', this.driftQuery(props.envName, props.logAnalytics), {
      operator: 'GreaterThan',
      threshold: 0,
      severity: 2,
      evaluationFrequency: 'PT1H',
      windowDuration: 'P2D',
      description: `The latest daily drift check found drift for a model in ${props.envName} (model dimension). Open the drift job's report (outputs/report/drift-report.html) and the workbook's drift table.`,
    });

    // An action group has no "notify now" API: canary.yml's `npm run canary -- notify` sends a
    // canary_rollback metric (model/canary/rollback-signal.ts) and this alert relays it, at
    // severity 1 (a canary is hurting clients now). 30 min of look-back every 5 min: the point is
    // seen by several evaluations despite ingestion delay, and the alert resolves by itself after.
    this.canaryRollbackAlert = logAlert(
      'CanaryRollback',
      'canary-rollback',
      {
        workspaceId: props.logAnalytics.workspaceResourceId,
        query: canaryRollbackKql(props.envName),
        measureColumn: 'rollbacks',
        aggregation: 'Total',
        dimensions: ['canary'],
      },
      {
        operator: 'GreaterThan',
        threshold: 0,
        severity: 1,
        evaluationFrequency: 'PT5M',
        windowDuration: 'PT30M',
        description: `The hourly canary analysis (canary.yml) found a canary in ${props.envName} to roll back (canary dimension). Review and merge the rollback pull request it opened (stacks/rollout.ts).`,
      },
    );

    const perDeployment = new Construct(this, 'Deployments');
    const deploymentAlerts: Record<string, { cpu: MetricAlert; memory: MetricAlert; atMax?: MetricAlert }> =
      {};
    for (const deployment of Object.keys(props.rollout.deployments)) {
      const scope = new Construct(perDeployment, deployment);
      const cpu = new MetricAlert(scope, 'Cpu', {
        name: `${base}-${deployment}-cpu`,
        resourceGroupName: rg,
        metric: endpoint.metricDeploymentCpu(deployment, 'Average'),
        operator: 'GreaterThan',
        threshold: t.cpuPercent,
        severity: 2,
        frequency: 'PT5M',
        windowSize: 'PT15M',
        autoMitigate: true,
        actionGroupIds,
        description: `Deployment ${deployment}: average CPU above ${t.cpuPercent} % for 15 minutes although autoscale should have added instances.`,
        tags,
      });
      const memory = new MetricAlert(scope, 'Memory', {
        name: `${base}-${deployment}-memory`,
        resourceGroupName: rg,
        metric: endpoint.metricDeploymentMemory(deployment, 'Maximum'),
        operator: 'GreaterThan',
        threshold: t.memoryPercent,
        severity: 2,
        frequency: 'PT1M',
        windowSize: 'PT5M',
        autoMitigate: true,
        actionGroupIds,
        description: `Deployment ${deployment}: an instance used more than ${t.memoryPercent} % of its memory over 5 minutes (OOM kills restart the container).`,
        tags,
      });
      const autoscale = props.autoscale[deployment];
      const atMax =
        autoscale && autoscale.maxInstances > autoscale.minInstances
          ? new MetricAlert(scope, 'AtMaxInstances', {
              name: `${base}-${deployment}-at-max`,
              resourceGroupName: rg,
              metric: autoscale.metricObservedCapacity('Minimum'),
              operator: 'GreaterThanOrEqual',
              threshold: autoscale.maxInstances,
              severity: 2,
              frequency: 'PT5M',
              windowSize:
                t.atMaxInstancesMinutes === 60 ? 'PT1H' : t.atMaxInstancesMinutes === 15 ? 'PT15M' : 'PT30M',
              autoMitigate: true,
              actionGroupIds,
              description: `Deployment ${deployment} ran at its autoscale maximum (${autoscale.maxInstances} instances) for ${t.atMaxInstancesMinutes} minutes: raise maxInstances or the instance size.`,
              tags,
            })
          : undefined;
      deploymentAlerts[deployment] = { cpu, memory, ...(atMax ? { atMax } : {}) };
    }
    this.deploymentAlerts = deploymentAlerts;

    this.workbook = new Workbook(this, 'Workbook', {
      seed: `${base}/model-monitoring`,
      displayName: `Fraud model monitoring (${props.envName})`,
      resourceGroupName: rg,
      location: props.location,
      workspaceId: props.logAnalytics.workspaceResourceId,
      items: this.workbookItems(props.envName),
      description:
        'Latency percentiles, requests and error rate per deployment, prediction scores, drift per feature',
      tags,
    });

    const stable = stableDeployment(props.rollout);
    if (stable !== undefined) {
      const spec = props.rollout.deployments[stable]!;
      const ref = modelRefOf(spec.model);
      const local = props.localModelPackages?.[stable] !== undefined;
      this.driftJob = new DriftJob(this, 'DriftJob', {
        envName: props.envName,
        workspace: props.workspace,
        storage: props.storage,
        jobs: props.jobs,
        logAnalytics: props.logAnalytics,
        appInsights: props.appInsights,
        // A local package (dev) is a workspace model version; otherwise the shared registry's.
        modelUri: local
          ? `azureml:${ref.name}:${ref.version}`
          : props.modelRegistry.modelAssetUri(ref.name, ref.version),
        modelRef: spec.model,
        modelRegistry: props.modelRegistry,
        writeCode: props.writeDriftCode,
        tags,
      });
      // The model version exists once its deployment does (it references it).
      this.driftJob.schedule.resource.node.addDependency(endpoint.deployments[stable]!);
    }
  }

  /** The drift job's verdict, latest run per model of this environment (model/drift/metrics.ts). */
  private driftQuery(envName: string, logAnalytics: LogAnalytics): LogQueryRef {
    const c = DRIFT_METRIC_CONTRACT;
    return {
      workspaceId: logAnalytics.workspaceResourceId,
      query: [
        c.table,
        `| where ${c.columns.name} == ${kqlLiteral(c.detected.name)}`,
        `| extend environment = tostring(${c.columns.dimensions}.environment), model = tostring(${c.columns.dimensions}.model)`,
        `| where environment == ${kqlLiteral(envName)}`,
        `| summarize arg_max(${c.columns.time}, ${c.columns.max}) by model`,
        `| project model, drift_detected = ${c.columns.max}`,
      ].join('\n'),
      measureColumn: 'drift_detected',
      aggregation: 'Maximum',
      dimensions: ['model'],
    };
  }

  /** The original's views, as workbook items. */
  private workbookItems(envName: string): WorkbookItem[] {
    const c = DRIFT_METRIC_CONTRACT;
    const traffic = this.trafficLog;
    const t = this.thresholds;
    return [
      {
        kind: 'markdown',
        text: `## Fraud model monitoring (${envName})\nRequests, latency and errors per deployment come from the endpoint's traffic log (what clients saw); prediction scores and drift from the service and the daily drift job (Application Insights). Alert thresholds: error rate > ${t.errorRatePercent} %, P95 > ${t.p95LatencyMs} ms, availability < ${t.availabilityPercent} %.`,
      },
      {
        kind: 'query',
        title: 'Latency percentiles (ms) per deployment: p50, p95, p99',
        query: traffic.latencyPercentilesQuery('5m'),
        visualization: 'timechart',
      },
      {
        kind: 'query',
        title: 'Requests per deployment (canary beside stable)',
        query: `${traffic.requestsByDeploymentQuery('5m')}\n| project TimeGenerated, DeploymentName, requests`,
        visualization: 'timechart',
        widthPercent: 50,
      },
      {
        kind: 'query',
        title: 'Error rate (% 5xx) per deployment',
        query: `${traffic.requestsByDeploymentQuery('5m')}\n| project TimeGenerated, DeploymentName, error_rate_percent`,
        visualization: 'timechart',
        widthPercent: 50,
      },
      {
        kind: 'query',
        title: 'Deployments side by side over the time range',
        query: [
          traffic.baseQuery(),
          '| where isnotempty(DeploymentName)',
          '| summarize requests = count(), errors = countif(toint(ResponseCode) >= 500), p50_ms = percentile(TotalDurationMs, 50), p95_ms = percentile(TotalDurationMs, 95), p99_ms = percentile(TotalDurationMs, 99) by DeploymentName',
          '| extend error_rate_percent = round(100.0 * errors / requests, 2)',
          '| order by requests desc',
        ].join('\n'),
        visualization: 'table',
      },
      {
        kind: 'query',
        title: 'Distribution of prediction scores per deployment',
        query: [
          c.table,
          `| where ${c.columns.name} == ${kqlLiteral(TELEMETRY_NAMES.score)}`,
          `| extend deployment = tostring(${c.columns.dimensions}.deployment), score_bin = tostring(${c.columns.dimensions}.bin)`,
          `| summarize predictions = sum(${c.columns.sum}) by score_bin, deployment`,
          '| order by score_bin asc',
        ].join('\n'),
        visualization: 'barchart',
      },
      {
        kind: 'query',
        title: 'Drift status per feature (latest daily check)',
        query: [
          c.table,
          `| where ${c.columns.name} == ${kqlLiteral(c.featureStatistic.name)}`,
          `| extend environment = tostring(${c.columns.dimensions}.environment)`,
          `| where environment == ${kqlLiteral(envName)}`,
          `| extend model = tostring(${c.columns.dimensions}.model), feature = tostring(${c.columns.dimensions}.feature), test = tostring(${c.columns.dimensions}.test)`,
          `| summarize arg_max(${c.columns.time}, *) by model, feature, test`,
          `| project checked_at = ${c.columns.time}, model, feature, test, drifted = tostring(${c.columns.dimensions}.drifted), statistic = ${c.columns.max}, p_value = todouble(${c.columns.dimensions}.p_value), psi = todouble(${c.columns.dimensions}.psi)`,
          '| order by drifted desc, p_value asc',
        ].join('\n'),
        visualization: 'table',
      },
    ];
  }
}
