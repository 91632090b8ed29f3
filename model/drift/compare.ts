/**
 * Compares current data with a model's baseline and builds the drift report: per numeric
 * feature a KS test (on raw values when both sides have them, else on the baseline's bins) and
 * PSI on the baseline's bins; per categorical field a chi-square test and PSI over categories;
 * the prediction score like a numeric feature. Pure: no I/O.
 */
import { CATEGORICAL_FIELDS, UNKNOWN_CATEGORY } from '../features';
import { scoreBinEdges } from '../package/baseline';
import type { ModelManifest } from '../package/manifest';
import { chi2Contingency } from './chi2';
import { ks2samp, ks2sampCounts, type KsResult } from './ks';
import { binCounts, psiFromCounts } from './psi';
import { resolveDriftThresholds, type DriftThresholds, type ResolvedDriftThresholds } from './thresholds';

/** One numeric column of current (or raw baseline) data: raw values, or counts on the baseline bins. */
export interface NumericData {
  /** Raw values (NaN are ignored). */
  readonly values?: ArrayLike<number>;
  /** Counts on the manifest's bins (length = edges + 1), when only aggregates exist. */
  readonly counts?: readonly number[];
}

/** Production data to compare with the baseline. */
export interface CurrentData {
  /** Where it came from, for the report (`csv:<file>`, `log-analytics:<workspace>`). */
  readonly source: string;
  readonly rows: number;
  /** Per numeric model feature. */
  readonly numeric: Readonly<Record<string, NumericData>>;
  /** Per raw categorical field: category -> count (categories outside the baseline as `__unknown__`). */
  readonly categorical: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Predicted probabilities. @default - no prediction drift test */
  readonly score?: NumericData;
  /** The time window the data covers, when known. */
  readonly window?: { readonly start: string; readonly end: string };
}

/** Raw baseline values (e.g. the training CSV), for KS on values instead of bins. */
export interface RawBaseline {
  readonly numeric: Readonly<Record<string, ArrayLike<number>>>;
}

export type FeatureKind = 'numeric' | 'categorical' | 'score';
export type DriftTestName = 'ks' | 'ks-binned' | 'chi2';

export interface HistogramView {
  /** Bin labels: `(a, b]` ranges or category names. */
  readonly labels: string[];
  readonly baseline: number[];
  readonly current: number[];
}

export interface FeatureDrift {
  readonly feature: string;
  readonly kind: FeatureKind;
  readonly test: DriftTestName;
  readonly statistic: number;
  readonly pValue: number;
  /** The p-value threshold applied (after any correction). */
  readonly pValueThreshold: number;
  readonly psi: number;
  /** 0 when the PSI rule is off. */
  readonly psiThreshold: number;
  readonly drifted: boolean;
  /** Which rules fired: 'p-value', 'psi'. */
  readonly reasons: string[];
  readonly baselineRows: number;
  readonly currentRows: number;
  /** KS only: 'exact' or 'asymp'. */
  readonly method?: string;
  /** Proportions per bin or category, for the human report. */
  readonly histogram: HistogramView;
}

export interface DriftReport {
  readonly schemaVersion: 1;
  /** `name:version` of the model whose baseline was used. */
  readonly model: string;
  readonly generatedAt: string;
  readonly source: string;
  readonly window?: { readonly start: string; readonly end: string };
  readonly rows: { readonly baseline: number; readonly current: number };
  readonly thresholds: ResolvedDriftThresholds;
  readonly drifted: boolean;
  readonly driftedFeatures: string[];
  /** Drifted first, then by ascending p-value. */
  readonly features: FeatureDrift[];
}

export interface CompareOptions {
  readonly thresholds?: DriftThresholds;
  readonly rawBaseline?: RawBaseline;
  /** @default new Date() */
  readonly now?: Date;
}

/** Thrown when the data cannot support a verdict (too few rows, nothing comparable). */
export class DriftInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DriftInputError';
  }
}

export function compareWithBaseline(
  manifest: ModelManifest,
  current: CurrentData,
  options: CompareOptions = {},
): DriftReport {
  const t = resolveDriftThresholds(options.thresholds);
  if (current.rows < t.minRows) {
    throw new DriftInputError(
      `not enough current data: ${current.rows} row(s) from ${current.source}, at least ${t.minRows} needed (minRows)`,
    );
  }
  const base = manifest.baseline;
  const numericNames = Object.keys(base.numeric).filter((n) => current.numeric[n] !== undefined);
  const categoricalNames = CATEGORICAL_FIELDS.filter(
    (f) => base.categorical[f] !== undefined && current.categorical[f] !== undefined,
  );
  const tests = numericNames.length + categoricalNames.length + (current.score ? 1 : 0);
  if (tests === 0) throw new DriftInputError(`${current.source}: no feature in common with the baseline`);
  const pThreshold = t.correction === 'bonferroni' ? t.pValue / tests : t.pValue;
  const decide = (p: number, psi: number): { drifted: boolean; reasons: string[] } => {
    const reasons: string[] = [];
    if (p < pThreshold) reasons.push('p-value');
    if (t.psi > 0 && psi >= t.psi) reasons.push('psi');
    return { drifted: reasons.length > 0, reasons };
  };

  const features: FeatureDrift[] = [];
  const numericDrift = (
    name: string,
    kind: FeatureKind,
    edges: number[],
    baseCounts: number[],
    cur: NumericData,
    raw?: ArrayLike<number>,
  ): void => {
    // Scores: the manifest's score bins were computed from the trainer's float64 scores, while
    // production scores come from ORT (float32 tree sums, approximate Sigmoid: up to ~1.7e-7
    // absolute). Scores are counted on the edges raised by that tolerance, as the baseline and the
    // service's aggregator count them (see scoreBinEdges): else tied rows fake a drift.
    const binEdges = kind === 'score' ? scoreBinEdges(edges) : edges;
    const curCounts = cur.counts ? Array.from(cur.counts) : Array.from(binCounts(cur.values ?? [], binEdges));
    if (curCounts.length !== baseCounts.length) {
      throw new DriftInputError(
        `${name}: current histogram has ${curCounts.length} bins, the baseline has ${baseCounts.length}`,
      );
    }
    const curRows = curCounts.reduce((a, b) => a + b, 0);
    if (curRows === 0) throw new DriftInputError(`${name}: no current values`);
    let ks: KsResult;
    let test: DriftTestName;
    if (raw && cur.values) {
      ks = ks2samp(finite(raw), finite(cur.values));
      test = 'ks';
    } else {
      ks = ks2sampCounts(baseCounts, curCounts);
      test = 'ks-binned';
    }
    const psi = psiFromCounts(baseCounts, curCounts);
    features.push({
      feature: name,
      kind,
      test,
      statistic: ks.statistic,
      pValue: ks.pValue,
      pValueThreshold: pThreshold,
      psi,
      psiThreshold: t.psi,
      ...decide(ks.pValue, psi),
      baselineRows: ks.n1,
      currentRows: ks.n2,
      method: ks.method,
      histogram: {
        labels: binLabels(edges),
        baseline: proportions(baseCounts),
        current: proportions(curCounts),
      },
    });
  };

  for (const name of numericNames) {
    const h = base.numeric[name];
    numericDrift(
      name,
      'numeric',
      h.edges,
      h.counts,
      current.numeric[name],
      options.rawBaseline?.numeric[name],
    );
  }
  for (const field of categoricalNames) {
    const freqs = base.categorical[field];
    const cur = current.categorical[field];
    const cats = [...new Set([...Object.keys(freqs), ...Object.keys(cur)])].filter(
      (c) => (freqs[c] ?? 0) > 0 || (cur[c] ?? 0) > 0,
    );
    // The manifest keeps category fractions; counts are recovered from the baseline row count.
    const baseCounts = cats.map((c) => Math.round((freqs[c] ?? 0) * base.rows));
    const curCounts = cats.map((c) => cur[c] ?? 0);
    const curRows = curCounts.reduce((a, b) => a + b, 0);
    if (curRows === 0) throw new DriftInputError(`${field}: no current values`);
    const keep = cats.map((_, i) => baseCounts[i] + curCounts[i] > 0);
    const table = [baseCounts.filter((_, i) => keep[i]), curCounts.filter((_, i) => keep[i])];
    const chi = chi2Contingency(table, true);
    const psi = psiFromCounts(baseCounts, curCounts);
    features.push({
      feature: field,
      kind: 'categorical',
      test: 'chi2',
      statistic: chi.statistic,
      pValue: chi.pValue,
      pValueThreshold: pThreshold,
      psi,
      psiThreshold: t.psi,
      ...decide(chi.pValue, psi),
      baselineRows: base.rows,
      currentRows: curRows,
      histogram: { labels: cats, baseline: proportions(baseCounts), current: proportions(curCounts) },
    });
  }
  if (current.score) numericDrift('pred_proba', 'score', base.score.edges, base.score.counts, current.score);

  features.sort((a, b) => Number(b.drifted) - Number(a.drifted) || a.pValue - b.pValue);
  const driftedFeatures = features.filter((f) => f.drifted).map((f) => f.feature);
  return {
    schemaVersion: 1,
    model: `${manifest.name}:${manifest.version}`,
    generatedAt: (options.now ?? new Date()).toISOString(),
    source: current.source,
    ...(current.window ? { window: current.window } : {}),
    rows: { baseline: base.rows, current: current.rows },
    thresholds: t,
    drifted: driftedFeatures.length > 0,
    driftedFeatures,
    features,
  };
}

function finite(values: ArrayLike<number>): Float64Array {
  let n = 0;
  for (let i = 0; i < values.length; i += 1) if (!Number.isNaN(values[i])) n += 1;
  const out = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < values.length; i += 1) if (!Number.isNaN(values[i])) out[k++] = values[i];
  return out;
}

function proportions(counts: readonly number[]): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => (total > 0 ? c / total : 0));
}

function binLabels(edges: readonly number[]): string[] {
  const fmt = (x: number): string => String(Number(x.toPrecision(4)));
  return Array.from({ length: edges.length + 1 }, (_, i) =>
    i === 0
      ? `<= ${fmt(edges[0])}`
      : i === edges.length
        ? `> ${fmt(edges[i - 1])}`
        : `(${fmt(edges[i - 1])}, ${fmt(edges[i])}]`,
  );
}

/** Maps a raw category to the baseline's key space, as the service's aggregator does. */
export function baselineCategory(manifest: ModelManifest, field: string, raw: string | undefined): string {
  const freqs = manifest.baseline.categorical[field] ?? {};
  return raw !== undefined && raw in freqs ? raw : UNKNOWN_CATEGORY;
}
