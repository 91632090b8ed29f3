/**
 * The service's telemetry facade: per-deployment custom metrics, invalid-request counts by
 * reason, exceptions, and the periodic drift flush (feature/score histograms + masked sample).
 *
 * Hot path cost: `recordScored` does histogram increments and, for a few rows, a masked copy;
 * the SDK is called once per request, for latency (about 9 µs, PITFALLS.md §4). Row counts,
 * invalid counts and the score histogram are counted locally and sent with the flush. Everything else is flushed by a timer
 * (`unref`ed, so it never keeps the process alive) off the request path.
 *
 * With no sink (no APPLICATIONINSIGHTS_CONNECTION_STRING) every method is a no-op and nothing
 * is aggregated: telemetry is off cleanly.
 */
import type { ModelManifest } from '../../model/package/manifest';
import type { ScoringInput } from '../../model/schema';
import type { Logger } from '../logger';
import { DriftAggregator, type DriftWindow } from './drift-aggregator';
import { RowSampler } from './row-sampler';
import type { TelemetryProperties, TelemetrySink } from './sink';

/** Custom metric and event names (the workbook and alerts query these). */
export const TELEMETRY_NAMES = {
  latency: 'scoring_latency_ms',
  rows: 'scoring_rows',
  score: 'scoring_pred_proba',
  invalid: 'scoring_invalid_requests',
  driftEvent: 'scoring_drift_window',
  sampleEvent: 'scoring_sample_rows',
} as const;

/** Why a request was rejected; the `reason` dimension of the invalid-request metric. */
export type InvalidReason =
  | 'validation'
  | 'invalid_json'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'unauthorized'
  | 'batch_too_large'
  | 'not_found'
  | 'method_not_allowed';

export interface ServiceTelemetryOptions {
  readonly deploymentName: string;
  readonly logger: Logger;
  /** @default - telemetry off */
  readonly sink?: TelemetrySink;
  /** @default 60000 */
  readonly flushIntervalMs?: number;
  /** Masked rows kept per flush window. @default 20 */
  readonly sampleRows?: number;
  /** @default - random per process */
  readonly hashSalt?: string;
}

interface ModelScope {
  readonly model: string;
  readonly drift: DriftAggregator;
  readonly sampler: RowSampler;
}

export class ServiceTelemetry {
  readonly enabled: boolean;
  private readonly sink?: TelemetrySink;
  private readonly logger: Logger;
  private readonly deploymentName: string;
  private readonly flushIntervalMs: number;
  private readonly sampleRows: number;
  private readonly hashSalt?: string;
  private readonly invalid = new Map<InvalidReason, number>();
  private scope?: ModelScope;
  private timer?: NodeJS.Timeout;
  private baseProps: TelemetryProperties;

  constructor(options: ServiceTelemetryOptions) {
    this.sink = options.sink;
    this.enabled = options.sink !== undefined;
    this.logger = options.logger;
    this.deploymentName = options.deploymentName;
    this.flushIntervalMs = options.flushIntervalMs ?? 60_000;
    this.sampleRows = options.sampleRows ?? 20;
    this.hashSalt = options.hashSalt;
    this.baseProps = { deployment: this.deploymentName };
  }

  /** Called once the model is loaded: drift bins come from its manifest. Starts the flush timer. */
  attachModel(manifest: ModelManifest): void {
    if (!this.enabled) return;
    const model = `${manifest.name}:${manifest.version}`;
    this.scope = {
      model,
      drift: new DriftAggregator(manifest),
      sampler: new RowSampler({ capacity: this.sampleRows, salt: this.hashSalt }),
    };
    this.baseProps = { deployment: this.deploymentName, model };
    if (!this.timer) {
      this.timer = setInterval(() => this.flushAggregates(), this.flushIntervalMs);
      this.timer.unref();
    }
  }

  /** One successful scoring request. */
  recordScored(
    features: Float32Array,
    inputs: readonly ScoringInput[],
    scores: Float32Array,
    latencyMs: number,
  ): void {
    if (!this.sink || !this.scope) return;
    this.sink.trackMetric(TELEMETRY_NAMES.latency, latencyMs, this.baseProps);
    this.sink.trackRequest?.({ status: 200, durationMs: latencyMs, scores, properties: this.baseProps });
    this.scope.drift.record(features, inputs, scores);
    this.scope.sampler.offer(inputs, scores);
  }

  /** One rejected request, counted by reason and sent with the next flush. */
  recordInvalid(reason: InvalidReason): void {
    if (!this.sink) return;
    this.invalid.set(reason, (this.invalid.get(reason) ?? 0) + 1);
  }

  recordException(error: Error, correlationId: string): void {
    if (!this.sink) return;
    this.sink.trackException(error, { ...this.baseProps, correlationId });
  }

  /** Sends the current window's aggregates (timer, SIGTERM). Never throws. */
  flushAggregates(): void {
    if (!this.sink) return;
    try {
      for (const [reason, count] of this.invalid) {
        this.sink.trackMetric(TELEMETRY_NAMES.invalid, count, { ...this.baseProps, reason });
      }
      this.invalid.clear();
      if (this.scope && this.scope.drift.size > 0) {
        const window = this.scope.drift.take();
        this.sink.trackMetric(TELEMETRY_NAMES.rows, window.rows, this.baseProps);
        // The score histogram also goes out as metrics so the workbook can chart it per deployment.
        window.score.counts.forEach((count, bin) => {
          if (count > 0) {
            this.sink?.trackMetric(TELEMETRY_NAMES.score, count, {
              ...this.baseProps,
              bin: scoreBinLabel(window.score.edges, bin),
            });
          }
        });
        this.sink.trackEvent(TELEMETRY_NAMES.driftEvent, {
          ...this.baseProps,
          ...driftEventProperties(window),
        });
        // One event per masked row: each stays far below App Insights' 8 KB property limit
        // and lands in customDimensions as queryable fields.
        for (const row of this.scope.sampler.take()) {
          this.sink.trackEvent(TELEMETRY_NAMES.sampleEvent, { ...this.baseProps, ...stringify(row) });
        }
      }
    } catch (err) {
      this.logger.warn('telemetry flush failed', { err });
    }
  }

  /** Final flush on shutdown, bounded by `timeoutMs`. */
  async shutdown(timeoutMs: number): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (!this.sink) return;
    this.flushAggregates();
    const sink = this.sink;
    await withTimeout(
      (async () => {
        await sink.flush();
        await sink.shutdown();
      })(),
      timeoutMs,
    ).catch((err: unknown) => this.logger.warn('telemetry shutdown incomplete', { err }));
  }
}

/**
 * The drift window as event properties. Bin edges are left out (they are in the model's
 * manifest, named by the `model` property); each property holds one small JSON array or map,
 * far below App Insights' 8 KB limit per property value:
 * `startedAt`, `endedAt`, `rows`, `score` (counts), `categorical` ({field: {category: count}}),
 * and `numeric.<feature>` (counts) per numeric feature.
 */
export function driftEventProperties(window: DriftWindow): Record<string, string> {
  const props: Record<string, string> = {
    startedAt: window.startedAt,
    endedAt: window.endedAt,
    rows: String(window.rows),
    score: JSON.stringify(window.score.counts),
    categorical: JSON.stringify(window.categorical),
  };
  for (const [name, h] of Object.entries(window.numeric)) props[`numeric.${name}`] = JSON.stringify(h.counts);
  return props;
}

function stringify(row: Readonly<Record<string, string | number>>): Record<string, string> {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, String(v)]));
}

function scoreBinLabel(edges: readonly number[], bin: number): string {
  const lo = bin === 0 ? '-inf' : String(edges[bin - 1]);
  const hi = bin === edges.length ? '+inf' : String(edges[bin]);
  return `(${lo},${hi}]`;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    t.unref();
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}
