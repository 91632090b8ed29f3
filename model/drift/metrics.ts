/**
 * The metric contract between the drift job and the drift alert, and its emission through the
 * real Application Insights SDK (applicationinsights 3.x).
 *
 * Contract (docs/monitoring.md repeats it):
 * - `model_drift_detected`: value 1 when any feature drifted, else 0; dimensions `model`
 *   (name:version) and `environment`.
 * - `model_drift_feature_statistic`: one per test, value = the test statistic (KS D or chi-square);
 *   dimensions `model`, `environment`, `feature`, `test` (ks | ks-binned | chi2), `drifted`
 *   ('true' | 'false'), plus `p_value` and `psi` as strings for the workbook.
 * In a workspace-based Application Insights resource these land in the Log Analytics table
 * `AppMetrics`: metric name in `Name`, the value in `Sum` / `Max` (one point per run, so
 * `ItemCount` = 1), dimensions in the dynamic column `Properties`, time in `TimeGenerated`
 * (learn.microsoft.com/azure/azure-monitor/reference/tables/appmetrics). The SDK records each
 * trackMetric as an OpenTelemetry histogram and exports it on flush (PITFALLS.md §4).
 */
import type { DriftReport } from './compare';

export const DRIFT_METRIC_CONTRACT = {
  detected: { name: 'model_drift_detected', dimensions: ['model', 'environment'] },
  featureStatistic: {
    name: 'model_drift_feature_statistic',
    dimensions: ['model', 'environment', 'feature', 'test', 'drifted', 'p_value', 'psi'],
  },
  /** Log Analytics table and columns (workspace-based Application Insights). */
  table: 'AppMetrics',
  columns: {
    name: 'Name',
    sum: 'Sum',
    max: 'Max',
    count: 'ItemCount',
    dimensions: 'Properties',
    time: 'TimeGenerated',
  },
} as const;

/** The KQL the drift alert can run (a scheduled query alert on the Log Analytics workspace). */
export const DRIFT_ALERT_KQL = `AppMetrics
| where Name == "${DRIFT_METRIC_CONTRACT.detected.name}"
| extend environment = tostring(Properties.environment), model = tostring(Properties.model)
| summarize drifted = max(Max) by environment, model`;

export interface MetricRecord {
  readonly name: string;
  readonly value: number;
  readonly properties: Readonly<Record<string, string>>;
}

/** The metric points for one report (pure). */
export function driftMetricRecords(report: DriftReport, environment: string): MetricRecord[] {
  const base = { model: report.model, environment };
  return [
    { name: DRIFT_METRIC_CONTRACT.detected.name, value: report.drifted ? 1 : 0, properties: base },
    ...report.features.map((f) => ({
      name: DRIFT_METRIC_CONTRACT.featureStatistic.name,
      value: f.statistic,
      properties: {
        ...base,
        feature: f.feature,
        test: f.test,
        drifted: String(f.drifted),
        p_value: String(f.pValue),
        psi: String(f.psi),
      },
    })),
  ];
}

/**
 * Sends the records to Application Insights and waits for the export. Statsbeat (the SDK's
 * own usage reporting to Microsoft) and every auto-collector are switched off: only these
 * metrics leave the process, and only to the connection string's ingestion endpoint.
 */
export async function emitDriftMetrics(
  records: readonly MetricRecord[],
  connectionString: string,
): Promise<void> {
  process.env.APPLICATIONINSIGHTS_STATSBEAT_DISABLED ??= 'true';
  process.env.OTEL_SERVICE_NAME ??= 'fraud-drift-job';
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ai = require('applicationinsights') as typeof import('applicationinsights');
  const client = new ai.TelemetryClient(connectionString);
  client.config.enableAutoCollectConsole = false;
  client.config.enableAutoCollectExceptions = false;
  client.config.enableAutoCollectPerformance = false;
  client.config.enableAutoCollectRequests = false;
  client.config.enableAutoCollectDependencies = false;
  client.config.azureMonitorOpenTelemetryOptions = { enableLiveMetrics: false };
  client.initialize();
  for (const r of records)
    client.trackMetric({ name: r.name, value: r.value, properties: { ...r.properties } });
  await client.flush();
  await client.shutdown();
}
