/**
 * Cheap production aggregates for the drift job: counts of model features on the manifest's
 * baseline bins, category counts on the baseline's categories, and the score histogram on the
 * baseline score bins. Recording a row is a few binary searches and increments (no allocation);
 * `take()` hands the window over and starts a new one, so the flush never blocks scoring.
 */
import { CATEGORICAL_FIELDS, UNKNOWN_CATEGORY } from '../../model/features';
import { scoreBinEdges } from '../../model/package/baseline';
import { histogramBin, type ModelManifest } from '../../model/package/manifest';
import type { ScoringInput } from '../../model/schema';

/** One flushed window, JSON-serialisable; bins follow the manifest's `Histogram` semantics. */
export interface DriftWindow {
  readonly startedAt: string;
  readonly endedAt: string;
  readonly rows: number;
  /** feature -> {edges, counts} with counts.length === edges.length + 1. */
  readonly numeric: Record<string, { edges: number[]; counts: number[] }>;
  /** raw categorical field -> category -> count; values not in the baseline count as `__unknown__`. */
  readonly categorical: Record<string, Record<string, number>>;
  /** The manifest's score edges; counts are on them raised by the ORT tolerance (`scoreBinEdges`). */
  readonly score: { edges: number[]; counts: number[] };
}

interface NumericSlot {
  readonly name: string;
  readonly column: number;
  readonly edges: number[];
  counts: Float64Array;
}

export class DriftAggregator {
  private readonly numeric: NumericSlot[];
  private readonly width: number;
  private readonly categoryKeys: ReadonlyMap<string, ReadonlySet<string>>;
  private categorical: Map<string, Map<string, number>>;
  private readonly scoreEdges: number[];
  /** `scoreEdges` each raised by the ORT tolerance: what scores are counted on (see `scoreBinEdges`). */
  private readonly scoreBinEdges: number[];
  private scoreCounts: Float64Array;
  private rows = 0;
  private startedAt = new Date();

  constructor(manifest: ModelManifest) {
    const names = manifest.input.featureNames;
    this.width = names.length;
    this.numeric = Object.entries(manifest.baseline.numeric)
      .filter(([name]) => names.includes(name))
      .map(([name, h]) => ({
        name,
        column: names.indexOf(name),
        edges: h.edges,
        counts: new Float64Array(h.edges.length + 1),
      }));
    this.categoryKeys = new Map(
      CATEGORICAL_FIELDS.map((f) => [f, new Set(Object.keys(manifest.baseline.categorical[f] ?? {}))]),
    );
    this.categorical = this.emptyCategorical();
    this.scoreEdges = manifest.baseline.score.edges;
    // ORT's float32 scores sit up to a tolerance from the trainer's scores the baseline counted:
    // both sides count on the same raised edges, which ties keep clear of (see scoreBinEdges).
    this.scoreBinEdges = scoreBinEdges(this.scoreEdges);
    this.scoreCounts = new Float64Array(this.scoreEdges.length + 1);
  }

  /** Adds `rows` scored rows: their feature matrix, raw inputs (for categories) and scores. */
  record(features: Float32Array, inputs: readonly ScoringInput[], scores: Float32Array): void {
    const rows = inputs.length;
    for (let r = 0; r < rows; r += 1) {
      const base = r * this.width;
      for (const slot of this.numeric) {
        const bin = histogramBin(slot.edges, features[base + slot.column]);
        if (bin >= 0) slot.counts[bin] += 1;
      }
      const input = inputs[r];
      for (const field of CATEGORICAL_FIELDS) {
        const raw = input[field];
        // Only baseline categories are kept by name: arbitrary client strings never reach telemetry.
        const key = raw !== undefined && this.categoryKeys.get(field)?.has(raw) ? raw : UNKNOWN_CATEGORY;
        const counts = this.categorical.get(field) as Map<string, number>;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      const sb = histogramBin(this.scoreBinEdges, scores[r]);
      if (sb >= 0) this.scoreCounts[sb] += 1;
    }
    this.rows += rows;
  }

  /** Rows recorded in the current window. */
  get size(): number {
    return this.rows;
  }

  /** Returns the current window and starts a new one. */
  take(now = new Date()): DriftWindow {
    const window: DriftWindow = {
      startedAt: this.startedAt.toISOString(),
      endedAt: now.toISOString(),
      rows: this.rows,
      numeric: Object.fromEntries(
        this.numeric.map((s) => [s.name, { edges: s.edges, counts: Array.from(s.counts) }]),
      ),
      categorical: Object.fromEntries([...this.categorical].map(([f, m]) => [f, Object.fromEntries(m)])),
      score: { edges: this.scoreEdges, counts: Array.from(this.scoreCounts) },
    };
    for (const s of this.numeric) s.counts = new Float64Array(s.edges.length + 1);
    this.categorical = this.emptyCategorical();
    this.scoreCounts = new Float64Array(this.scoreEdges.length + 1);
    this.rows = 0;
    this.startedAt = now;
    return window;
  }

  private emptyCategorical(): Map<string, Map<string, number>> {
    return new Map(CATEGORICAL_FIELDS.map((f) => [f, new Map<string, number>()]));
  }
}
