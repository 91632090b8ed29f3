/**
 * Metrics as data: constructs return a {@link MetricRef}; alert constructs turn it into a
 * `MonitorMetricAlert` with `scopes: [ref.resourceId]`, and the stack picks the thresholds.
 */
export type MetricAggregation = 'Average' | 'Minimum' | 'Maximum' | 'Total' | 'Count';

export interface MetricRef {
  /** ARM id of the resource that emits the metric (a token at synth). */
  readonly resourceId: string;
  /** Azure Monitor metric namespace, e.g. `Microsoft.KeyVault/vaults`. */
  readonly namespace: string;
  /** REST metric name, e.g. `Availability`. */
  readonly name: string;
  readonly aggregation: MetricAggregation;
  /** Dimension filters (name -> values; `['*']` splits by every value). @default - no filter */
  readonly dimensions?: Readonly<Record<string, readonly string[]>>;
}
