/**
 * The signal `npm run canary -- notify` sends when the analysis says "roll back", and the alert
 * that turns it into a notification of the environment's action group (stacks/monitoring.ts).
 *
 * Why a metric through Application Insights, and not a direct call of the action group: an action
 * group has no "send now" API (the portal's "test action group" is a diagnostic that sends sample
 * payloads, Action Groups - Create Notifications At Action Group Resource Level), so the supported
 * way to reach its receivers is an alert. The drift job already sends its verdict as an App
 * Insights metric watched by a log alert (model/drift/metrics.ts); the rollback signal uses the same
 * path, the same SDK code (`emitDriftMetrics`, statsbeat off) and the same table:
 * - `canary_rollback`: value 1 per canary to roll back; dimensions `environment`, `canary`,
 *   `stable`, `canary_model`, `reason`. In the workspace-based Application Insights resource it lands
 *   in `AppMetrics` (`Name`, `Sum`, `Properties`, `TimeGenerated`; learn.microsoft.com/azure/
 *   azure-monitor/reference/tables/appmetrics).
 */
import type { MetricRecord } from '../drift/metrics';
import type { CanaryAnalysis } from './analyze';

export const CANARY_ROLLBACK_METRIC = {
  name: 'canary_rollback',
  dimensions: ['environment', 'canary', 'stable', 'canary_model', 'reason'],
} as const;

/** One metric point per canary the analysis rolls back (pure). */
export function canaryRollbackRecords(analysis: CanaryAnalysis): MetricRecord[] {
  return analysis.verdicts
    .filter((v) => v.verdict === 'rollback')
    .map((v) => ({
      name: CANARY_ROLLBACK_METRIC.name,
      value: 1,
      properties: {
        environment: analysis.environment,
        canary: v.canary,
        stable: v.stable,
        canary_model: v.canaryModel,
        reason: v.reason,
      },
    }));
}

/**
 * KQL of the rollback alert: the signals of one environment in the alert's window, one row per
 * canary (`rollbacks` = how many were sent). `environment` must be a plain name (checked by the
 * caller's settings validation; only letters, digits and - reach this point).
 */
export function canaryRollbackKql(environment: string): string {
  if (!/^[A-Za-z0-9-]{1,64}$/.test(environment))
    throw new Error(`environment '${environment}' cannot be used in the rollback alert query`);
  return [
    'AppMetrics',
    `| where Name == "${CANARY_ROLLBACK_METRIC.name}"`,
    '| extend environment = tostring(Properties.environment), canary = tostring(Properties.canary)',
    `| where environment == "${environment}"`,
    '| summarize rollbacks = sum(ItemCount) by canary',
  ].join('\n');
}
