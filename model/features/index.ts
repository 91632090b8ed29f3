/**
 * The one feature module shared by training and the scoring service: raw transaction ->
 * one `Float32Array` row in `FEATURE_NAMES` order. Pure TypeScript, no I/O.
 *
 * Rules that keep train and serve identical:
 * - identifiers and the timestamp are never read;
 * - every feature is computed from the request alone (no per-customer history in the service);
 * - a missing optional number is replaced by the training median stored in the spec, so the
 *   model sees the same value in training (where the CSV has no gaps) and in serving;
 * - a category is mapped to an ordinal code learned in training (categories sorted by their
 *   smoothed training fraud rate, so a single tree split separates risky from safe ones);
 *   unseen, rare or missing categories share the unknown bucket's code.
 */
import type { ScoringInput, Transaction } from '../schema';

/** Model input columns, in order. The ONNX input width equals this length. */
export const FEATURE_NAMES = [
  'amount',
  'amount_to_avg_spend',
  'hour_of_day',
  'is_night',
  'day_of_week',
  'customer_tenure_days',
  'avg_monthly_spend',
  'num_prev_tx_24h',
  'merchant_category',
  'ip_geo_country',
  'currency',
] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];

/** Raw optional numeric fields imputed with the training median when missing. */
export const IMPUTED_FIELDS = [
  'hour_of_day',
  'day_of_week',
  'customer_tenure_days',
  'avg_monthly_spend',
  'num_prev_tx_24h',
] as const;
export type ImputedField = (typeof IMPUTED_FIELDS)[number];

/** Raw categorical fields, encoded as ordinal codes. */
export const CATEGORICAL_FIELDS = ['merchant_category', 'ip_geo_country', 'currency'] as const;
export type CategoricalField = (typeof CATEGORICAL_FIELDS)[number];

/** Columns that hold category codes (tree splits on them are ordinal on the risk order). */
export const CATEGORICAL_FEATURES: readonly FeatureName[] = CATEGORICAL_FIELDS;

/** Name of the shared bucket for unseen, rare or missing categories. */
export const UNKNOWN_CATEGORY = '__unknown__';

/** Night = hours 0..5 inclusive (local hour as sent by the client). */
export const NIGHT_LAST_HOUR = 5;

/** Guard for the spend ratio: customers with (near) zero typical spend are divided by 1. */
export const MIN_SPEND_DENOMINATOR = 1;

export interface CategoryEncoding {
  /** Known categories (seen at least `minCount` times in training). */
  categories: string[];
  /** Code written for each category (same index as `categories`). */
  codes: number[];
  /** Code written for unseen, rare or missing values. */
  unknownCode: number;
}

/** Everything learned from training data that feature computation needs. JSON-serializable. */
export interface FeatureSpec {
  /** Format version of this object. */
  specVersion: 1;
  /** Column order of the model input; equals FEATURE_NAMES for specVersion 1. */
  featureNames: string[];
  /** Median of each optional numeric raw field in training data. */
  imputation: Record<ImputedField, number>;
  categorical: Record<CategoricalField, CategoryEncoding>;
}

export interface FitFeatureSpecOptions {
  /** Categories seen fewer times go to the unknown bucket. @default 5 */
  readonly minCount?: number;
  /** At most this many known categories per field (most frequent kept). @default 64 */
  readonly maxCategories?: number;
}

/**
 * Learns imputation medians and category codes from training rows (labels are used to order
 * category codes by smoothed fraud rate; without labels the order is by frequency).
 */
export function fitFeatureSpec(
  rows: Iterable<Transaction>,
  options: FitFeatureSpecOptions = {},
): FeatureSpec {
  const minCount = options.minCount ?? 5;
  const maxCategories = options.maxCategories ?? 64;
  const numeric = IMPUTED_FIELDS.map(() => new GrowableF64());
  const counts = CATEGORICAL_FIELDS.map(() => new Map<string, { n: number; pos: number }>());
  let n = 0;
  let positives = 0;
  for (const tx of rows) {
    n++;
    const y = tx.is_fraud === 1 ? 1 : 0;
    positives += y;
    for (let f = 0; f < IMPUTED_FIELDS.length; f++) numeric[f].push(tx[IMPUTED_FIELDS[f]]);
    for (let f = 0; f < CATEGORICAL_FIELDS.length; f++) {
      const key = tx[CATEGORICAL_FIELDS[f]];
      const c = counts[f].get(key);
      if (c) {
        c.n++;
        c.pos += y;
      } else counts[f].set(key, { n: 1, pos: y });
    }
  }
  if (n === 0) throw new Error('fitFeatureSpec: no training rows');
  const prior = positives / n;
  const imputation = {} as Record<ImputedField, number>;
  IMPUTED_FIELDS.forEach((field, f) => (imputation[field] = median(numeric[f].view())));
  const categorical = {} as Record<CategoricalField, CategoryEncoding>;
  CATEGORICAL_FIELDS.forEach((field, f) => {
    categorical[field] = encodeCategories(counts[f], prior, positives > 0, minCount, maxCategories);
  });
  return { specVersion: 1, featureNames: [...FEATURE_NAMES], imputation, categorical };
}

/** Smoothing weight (pseudo-rows at the prior rate) when ranking categories by fraud rate. */
const RATE_SMOOTHING = 20;

function encodeCategories(
  counts: Map<string, { n: number; pos: number }>,
  prior: number,
  byRate: boolean,
  minCount: number,
  maxCategories: number,
): CategoryEncoding {
  const entries = [...counts.entries()].sort((a, b) => b[1].n - a[1].n || (a[0] < b[0] ? -1 : 1));
  const known = entries.filter(([, c]) => c.n >= minCount).slice(0, maxCategories);
  const knownSet = new Set(known.map(([k]) => k));
  const unknown = { n: 0, pos: 0 };
  for (const [k, c] of entries) {
    if (!knownSet.has(k)) {
      unknown.n += c.n;
      unknown.pos += c.pos;
    }
  }
  const score = (c: { n: number; pos: number }): number =>
    byRate ? (c.pos + RATE_SMOOTHING * prior) / (c.n + RATE_SMOOTHING) : -c.n;
  // Unknown with no training rows gets the prior rate: it behaves like an average category.
  const ranked = [
    ...known.map(([k, c]) => ({ key: k, s: score(c) })),
    { key: UNKNOWN_CATEGORY, s: unknown.n > 0 ? score(unknown) : byRate ? prior : 0 },
  ].sort((a, b) => a.s - b.s || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const codeOf = new Map(ranked.map((r, i) => [r.key, i]));
  return {
    categories: known.map(([k]) => k),
    codes: known.map(([k]) => codeOf.get(k) as number),
    unknownCode: codeOf.get(UNKNOWN_CATEGORY) as number,
  };
}

/** Number of model input columns for a spec. */
export function featureWidth(spec: FeatureSpec): number {
  return spec.featureNames.length;
}

interface CompiledSpec {
  imputation: Float64Array;
  maps: Map<string, number>[];
  unknown: Int32Array;
}

const compiled = new WeakMap<FeatureSpec, CompiledSpec>();

function compile(spec: FeatureSpec): CompiledSpec {
  let c = compiled.get(spec);
  if (c) return c;
  assertSpecSupported(spec);
  c = {
    imputation: Float64Array.from(IMPUTED_FIELDS, (f) => spec.imputation[f]),
    maps: CATEGORICAL_FIELDS.map((f) => {
      const e = spec.categorical[f];
      return new Map(e.categories.map((k, i) => [k, e.codes[i]]));
    }),
    unknown: Int32Array.from(CATEGORICAL_FIELDS, (f) => spec.categorical[f].unknownCode),
  };
  compiled.set(spec, c);
  return c;
}

/** Throws a clear error when a spec (e.g. from a manifest) does not match this code. */
export function assertSpecSupported(spec: FeatureSpec): void {
  const problems: string[] = [];
  if (spec.specVersion !== 1) problems.push(`specVersion must be 1, got ${String(spec.specVersion)}`);
  if (!Array.isArray(spec.featureNames) || spec.featureNames.join(',') !== FEATURE_NAMES.join(',')) {
    problems.push(
      `featureNames must be [${FEATURE_NAMES.join(', ')}], got ${JSON.stringify(spec.featureNames)}`,
    );
  }
  for (const f of IMPUTED_FIELDS) {
    if (typeof spec.imputation?.[f] !== 'number' || !Number.isFinite(spec.imputation[f])) {
      problems.push(`imputation.${f} must be a finite number`);
    }
  }
  for (const f of CATEGORICAL_FIELDS) {
    const e = spec.categorical?.[f];
    if (
      !e ||
      !Array.isArray(e.categories) ||
      !Array.isArray(e.codes) ||
      e.categories.length !== e.codes.length
    ) {
      problems.push(`categorical.${f} must have categories[] and codes[] of equal length`);
    } else if (!Number.isInteger(e.unknownCode)) {
      problems.push(`categorical.${f}.unknownCode must be an integer`);
    }
  }
  if (problems.length > 0) throw new Error(`unsupported feature spec: ${problems.join('; ')}`);
}

/**
 * Writes one row of features for `input` into `out[row * width ...]`. No allocations: the
 * spec's lookup tables are compiled once per spec object and cached.
 */
export function writeFeatures(input: ScoringInput, spec: FeatureSpec, out: Float32Array, row: number): void {
  const c = compile(spec);
  const imp = c.imputation;
  const base = row * FEATURE_NAMES.length;
  const amount = input.amount;
  const hour = input.hour_of_day ?? imp[0];
  const day = input.day_of_week ?? imp[1];
  const tenure = input.customer_tenure_days ?? imp[2];
  const spend = input.avg_monthly_spend ?? imp[3];
  const prev = input.num_prev_tx_24h ?? imp[4];
  out[base] = amount;
  out[base + 1] = amount / (spend > MIN_SPEND_DENOMINATOR ? spend : MIN_SPEND_DENOMINATOR);
  out[base + 2] = hour;
  out[base + 3] = hour <= NIGHT_LAST_HOUR ? 1 : 0;
  out[base + 4] = day;
  out[base + 5] = tenure;
  out[base + 6] = spend;
  out[base + 7] = prev;
  out[base + 8] = categoryCode(c, 0, input.merchant_category);
  out[base + 9] = categoryCode(c, 1, input.ip_geo_country);
  out[base + 10] = categoryCode(c, 2, input.currency);
}

function categoryCode(c: CompiledSpec, f: number, value: string | undefined): number {
  if (value === undefined) return c.unknown[f];
  const code = c.maps[f].get(value);
  return code === undefined ? c.unknown[f] : code;
}

/** Convenience for tests and small batches: a fresh matrix for many inputs. */
export function featureMatrix(inputs: readonly ScoringInput[], spec: FeatureSpec): Float32Array {
  const out = new Float32Array(inputs.length * featureWidth(spec));
  for (let i = 0; i < inputs.length; i++) writeFeatures(inputs[i], spec, out, i);
  return out;
}

/** The code a category value maps to (tests, reports). */
export function encodeCategory(
  spec: FeatureSpec,
  field: CategoricalField,
  value: string | undefined,
): number {
  return categoryCode(compile(spec), CATEGORICAL_FIELDS.indexOf(field), value);
}

class GrowableF64 {
  private buf = new Float64Array(1024);
  private n = 0;
  push(v: number): void {
    if (this.n === this.buf.length) {
      const next = new Float64Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.n++] = v;
  }
  view(): Float64Array {
    return this.buf.subarray(0, this.n);
  }
}

function median(values: Float64Array): number {
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
