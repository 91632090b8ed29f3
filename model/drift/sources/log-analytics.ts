/**
 * Reading the service's telemetry back from Log Analytics (@azure/monitor-query-logs with an
 * @azure/identity credential). `LogsQuery` is the seam: the real implementation runs KQL against
 * a workspace; callers turn rows into drift or canary inputs.
 *
 * Table and column names (learn.microsoft.com/azure/azure-monitor/reference/tables/appevents,
 * .../appmetrics): custom events land in `AppEvents` (`Name`, `Properties`, `TimeGenerated`),
 * custom metrics in `AppMetrics` (`Name`, `Sum`, `ItemCount`, `Properties`). The service's
 * event and metric names are in service/telemetry/service-telemetry.ts (TELEMETRY_NAMES);
 * they are repeated here as strings because model/ does not import service/.
 */
import type { ModelManifest } from '../../package/manifest';
import type { CurrentData } from '../compare';

export interface TimeWindow {
  readonly start: Date;
  readonly end: Date;
}

export type LogRow = Readonly<Record<string, unknown>>;

/** Runs one KQL query over a time window and returns its first table as row objects. */
export type LogsQuery = (kql: string, window: TimeWindow) => Promise<LogRow[]>;

/** The service's drift window event (TELEMETRY_NAMES.driftEvent). */
export const DRIFT_WINDOW_EVENT = 'scoring_drift_window';

/** Names and values spliced into KQL must match this (no quotes, no operators). */
const SAFE_KQL_VALUE = /^[A-Za-z0-9._:-]{1,200}$/;

export function kqlString(value: string, what: string): string {
  if (!SAFE_KQL_VALUE.test(value)) {
    throw new Error(
      `${what} '${value}' cannot be used in a query: only letters, digits and . _ : - are allowed`,
    );
  }
  return `"${value}"`;
}

export interface LogAnalyticsOptions {
  /** The Log Analytics workspace id (a GUID, not the resource id). @default - `resourceId` */
  readonly workspaceId?: string;
  /**
   * The workspace's ARM resource id instead of its GUID: the query runs resource-centric
   * (`LogsQueryClient.queryResource`, `POST /v1{resourceId}/query`), so a caller that knows only
   * the deterministic names needs no ARM lookup of the GUID. Exactly one of the two is given.
   * @default - `workspaceId`
   */
  readonly resourceId?: string;
  /** @default DefaultAzureCredential */
  readonly credential?: import('@azure/core-auth').TokenCredential;
  /** @default the public cloud endpoint */
  readonly endpoint?: string;
}

/** The real LogsQuery: LogsQueryClient.queryWorkspace, failing on partial results. */
export function logAnalyticsQuery(options: LogAnalyticsOptions): LogsQuery {
  if ((options.workspaceId === undefined) === (options.resourceId === undefined))
    throw new Error('log analytics: give exactly one of the workspace id and the workspace resource id');
  return async (kql, window) => {
    // Loaded on first use: the CSV path never pays for the Azure SDKs.
    const { LogsQueryClient, LogsQueryResultStatus } = await import('@azure/monitor-query-logs');
    const credential = options.credential ?? new (await import('@azure/identity')).DefaultAzureCredential();
    const client = new LogsQueryClient(credential, options.endpoint ? { endpoint: options.endpoint } : {});
    const timespan = { startTime: window.start, endTime: window.end };
    const result = options.resourceId
      ? // The SDK's path template is `/{+resourceId}/query`: an ARM id's leading '/' would make
        // it `/v1//subscriptions/...` (seen in __tests__/scripts/canary-azure.test.ts), which is
        // not the documented `POST /v1/subscriptions/.../query`
        // (learn.microsoft.com/azure/azure-monitor/logs/api/azure-resource-queries).
        await client.queryResource(options.resourceId.replace(/^\/+/, ''), kql, timespan)
      : await client.queryWorkspace(options.workspaceId ?? '', kql, timespan);
    if (result.status !== LogsQueryResultStatus.Success) {
      throw new Error(`log analytics query returned partial results: ${result.partialError.message}`);
    }
    const table = result.tables[0];
    if (!table) return [];
    const names = table.columnDescriptors.map((c) => c.name ?? '');
    return table.rows.map((row) => Object.fromEntries(names.map((n, i) => [n, row[i]])));
  };
}

/** KQL: the drift windows one model's deployments sent in the window. */
export function driftWindowKql(model: string): string {
  return `AppEvents
| where Name == ${kqlString(DRIFT_WINDOW_EVENT, 'event name')}
| where tostring(Properties.model) == ${kqlString(model, 'model')}
| project TimeGenerated, Properties`;
}

function props(row: LogRow): Record<string, unknown> {
  const p = row.Properties;
  if (typeof p === 'string') return JSON.parse(p) as Record<string, unknown>;
  return (p ?? {}) as Record<string, unknown>;
}

function parseCounts(raw: unknown, what: string): number[] {
  const v = typeof raw === 'string' ? (JSON.parse(raw) as unknown) : raw;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'number'))
    throw new Error(`${what} is not an array of counts`);
  return v as number[];
}

/** Sums the service's drift windows (histograms on the manifest bins) into drift input. */
export function currentFromDriftWindows(
  rows: readonly LogRow[],
  manifest: ModelManifest,
  window: TimeWindow,
  source: string,
): CurrentData {
  const numeric: Record<string, number[]> = {};
  const categorical: Record<string, Record<string, number>> = {};
  let score: number[] | undefined;
  let total = 0;
  const add = (into: number[] | undefined, counts: number[], what: string): number[] => {
    if (into && into.length !== counts.length) throw new Error(`${what}: windows disagree on the bin count`);
    const acc = into ?? new Array<number>(counts.length).fill(0);
    counts.forEach((c, i) => (acc[i] += c));
    return acc;
  };
  for (const row of rows) {
    const p = props(row);
    total += Number(p.rows ?? 0);
    for (const [key, value] of Object.entries(p)) {
      if (!key.startsWith('numeric.')) continue;
      const name = key.slice('numeric.'.length);
      if (!manifest.baseline.numeric[name]) continue;
      numeric[name] = add(numeric[name], parseCounts(value, key), key);
    }
    if (p.score !== undefined) score = add(score, parseCounts(p.score, 'score'), 'score');
    if (p.categorical !== undefined) {
      const cats = (typeof p.categorical === 'string' ? JSON.parse(p.categorical) : p.categorical) as Record<
        string,
        Record<string, number>
      >;
      for (const [field, counts] of Object.entries(cats)) {
        const acc = (categorical[field] ??= {});
        for (const [k, c] of Object.entries(counts)) acc[k] = (acc[k] ?? 0) + c;
      }
    }
  }
  return {
    source,
    rows: total,
    numeric: Object.fromEntries(Object.entries(numeric).map(([k, v]) => [k, { counts: v }])),
    categorical,
    ...(score ? { score: { counts: score } } : {}),
    window: { start: window.start.toISOString(), end: window.end.toISOString() },
  };
}
