/**
 * Canary data from Log Analytics. Two queries over the same window:
 * - requests, server errors and p95 latency per deployment from `AmlOnlineEndpointTrafficLog`
 *   (the online endpoint's traffic log; columns `EndpointName`, `DeploymentName`, `ResponseCode`,
 *   `TotalDurationMs`: learn.microsoft.com/azure/azure-monitor/reference/tables/amlonlineendpointtrafficlog).
 *   It needs the workspace's diagnostic setting for the `AmlOnlineEndpointTrafficLog` category;
 * - prediction scores from the service's masked sample rows (`AppEvents`, name
 *   `scoring_sample_rows`, `Properties.deployment` and `Properties.pred_proba`): a uniform sample
 *   per flush window, raw values, so KS works across models with different score bins.
 */
import { kqlString, type LogsQuery } from '../drift/sources/log-analytics';
import type { DeploymentWindow } from './analyze';
import type { CanaryDataSource, CanaryWindow } from './source';

/** The service's sample event (service TELEMETRY_NAMES.sampleEvent). */
export const SAMPLE_ROWS_EVENT = 'scoring_sample_rows';

export function trafficKql(endpoint: string, deployments: readonly string[]): string {
  return `AmlOnlineEndpointTrafficLog
| where EndpointName == ${kqlString(endpoint, 'endpoint')}
| where DeploymentName in (${deployments.map((d) => kqlString(d, 'deployment')).join(', ')})
| summarize requests = count(), errors = countif(toint(ResponseCode) >= 500), p95 = percentile(TotalDurationMs, 95) by DeploymentName`;
}

export function scoresKql(deployments: readonly string[]): string {
  return `AppEvents
| where Name == ${kqlString(SAMPLE_ROWS_EVENT, 'event name')}
| extend deployment = tostring(Properties.deployment)
| where deployment in (${deployments.map((d) => kqlString(d, 'deployment')).join(', ')})
| project deployment, score = todouble(Properties.pred_proba), model = tostring(Properties.model)`;
}

export class LogAnalyticsCanarySource implements CanaryDataSource {
  readonly description: string;

  constructor(
    private readonly query: LogsQuery,
    private readonly endpoint: string,
    workspaceId: string,
  ) {
    this.description = `log-analytics:${workspaceId} (endpoint ${endpoint})`;
  }

  async load(window: CanaryWindow, deployments: readonly string[]): Promise<Map<string, DeploymentWindow>> {
    const [traffic, samples] = await Promise.all([
      this.query(trafficKql(this.endpoint, deployments), window),
      this.query(scoresKql(deployments), window),
    ]);
    const scores = new Map<string, number[]>();
    const models = new Map<string, string>();
    for (const row of samples) {
      const d = String(row.deployment);
      const s = Number(row.score);
      if (!Number.isFinite(s)) continue;
      (scores.get(d) ?? scores.set(d, []).get(d))?.push(s);
      if (row.model) models.set(d, String(row.model));
    }
    const out = new Map<string, DeploymentWindow>();
    for (const row of traffic) {
      const d = String(row.DeploymentName);
      const p95 = Number(row.p95);
      out.set(d, {
        deployment: d,
        ...(models.has(d) ? { model: models.get(d) } : {}),
        requests: Number(row.requests),
        errors: Number(row.errors),
        ...(Number.isFinite(p95) ? { p95LatencyMs: p95 } : {}),
        scores: Float64Array.from(scores.get(d) ?? []),
      });
    }
    return out;
  }
}
