import { generateTransactions } from '../../model/data/generate';
import {
  FEATURE_NAMES,
  UNKNOWN_CATEGORY,
  assertSpecSupported,
  encodeCategory,
  featureMatrix,
  featureWidth,
  fitFeatureSpec,
  writeFeatures,
} from '../../model/features';
import type { ScoringInput } from '../../model/schema';

const { rows } = generateTransactions({ rows: 3000, seed: 5 });
const spec = fitFeatureSpec(rows);

test('the spec is JSON-serializable and width equals FEATURE_NAMES', () => {
  const copy = JSON.parse(JSON.stringify(spec));
  expect(copy).toEqual(spec);
  expect(featureWidth(copy)).toBe(FEATURE_NAMES.length);
  expect(() => assertSpecSupported(copy)).not.toThrow();
  expect(() => assertSpecSupported({ ...copy, featureNames: ['amount'] })).toThrow(/featureNames must be/);
});

test('features are deterministic and identifiers never change them', () => {
  const a = featureMatrix(rows.slice(0, 500), spec);
  const b = featureMatrix(rows.slice(0, 500), fitFeatureSpec(rows));
  expect(Array.from(b)).toEqual(Array.from(a));
  const renamed = rows.slice(0, 500).map((r, i) => ({
    ...r,
    transaction_id: `x${i}`,
    customer_id: 'other',
    merchant_id: 'M0',
    device_fingerprint: 'D0',
    transaction_ts: '2030-01-01T00:00:00',
  }));
  expect(Array.from(featureMatrix(renamed, spec))).toEqual(Array.from(a));
});

test('derived features come from the request alone', () => {
  const out = new Float32Array(featureWidth(spec) * 2);
  writeFeatures({ amount: 300, avg_monthly_spend: 100, hour_of_day: 2 }, spec, out, 1);
  const row = out.subarray(featureWidth(spec));
  const at = (name: string): number => row[FEATURE_NAMES.indexOf(name as (typeof FEATURE_NAMES)[number])];
  expect(at('amount')).toBe(300);
  expect(at('amount_to_avg_spend')).toBe(3);
  expect(at('is_night')).toBe(1);
  expect(Array.from(out.subarray(0, featureWidth(spec)))).toEqual(new Array(featureWidth(spec)).fill(0)); // row 0 untouched
  writeFeatures({ amount: 5, avg_monthly_spend: 0, hour_of_day: 12 }, spec, out, 0);
  expect(out[1]).toBe(5); // zero spend is divided by 1, never infinity
  expect(out[3]).toBe(0);
});

test('missing optional numbers take the training medians; missing or unseen categories the unknown code', () => {
  const minimal: ScoringInput = { amount: 42 };
  const x = featureMatrix([minimal], spec);
  const idx = (n: string): number => FEATURE_NAMES.indexOf(n as (typeof FEATURE_NAMES)[number]);
  expect(x[idx('customer_tenure_days')]).toBe(Math.fround(spec.imputation.customer_tenure_days));
  expect(x[idx('num_prev_tx_24h')]).toBe(Math.fround(spec.imputation.num_prev_tx_24h));
  expect(x[idx('hour_of_day')]).toBe(Math.fround(spec.imputation.hour_of_day));
  const unknown = spec.categorical.merchant_category.unknownCode;
  expect(x[idx('merchant_category')]).toBe(unknown);
  expect(encodeCategory(spec, 'merchant_category', 'never-seen')).toBe(unknown);
  expect(encodeCategory(spec, 'merchant_category', 'retail')).not.toBe(unknown);
  for (const v of x) expect(Number.isFinite(v)).toBe(true);
});

test('category codes are ordered by training fraud rate and rare categories share the unknown bucket', () => {
  const data = [
    ...Array.from({ length: 100 }, (_, i) => ({
      ...rows[i],
      merchant_category: 'safe',
      is_fraud: 0 as const,
    })),
    ...Array.from({ length: 100 }, (_, i) => ({
      ...rows[i],
      merchant_category: 'risky',
      is_fraud: (i % 2) as 0 | 1,
    })),
    ...Array.from({ length: 3 }, (_, i) => ({ ...rows[i], merchant_category: 'rare', is_fraud: 0 as const })),
  ];
  const s = fitFeatureSpec(data);
  const enc = s.categorical.merchant_category;
  expect(enc.categories.sort()).toEqual(['risky', 'safe']);
  expect(encodeCategory(s, 'merchant_category', 'risky')).toBeGreaterThan(
    encodeCategory(s, 'merchant_category', 'safe'),
  );
  expect(encodeCategory(s, 'merchant_category', 'rare')).toBe(enc.unknownCode);
  expect(UNKNOWN_CATEGORY).toBe('__unknown__');
});
