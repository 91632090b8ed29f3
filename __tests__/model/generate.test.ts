import * as path from 'node:path';
import { readTransactionsCsvToArray } from '../../model/data/csv';
import {
  generateTransactions,
  parseDriftSpec,
  parseGeneratorProfile,
  profileFraudProbability,
  trueFraudProbability,
} from '../../model/data/generate';
import type { Transaction } from '../../model/schema';
import { rocAuc } from '../../model/eval/metrics';

test('deterministic per seed, realistic fraud rate, labels follow the true probabilities', () => {
  const a = generateTransactions({ rows: 20_000, seed: 1 });
  const b = generateTransactions({ rows: 20_000, seed: 1 });
  expect(b.rows).toEqual(a.rows);
  expect(generateTransactions({ rows: 50, seed: 2 }).rows).not.toEqual(a.rows.slice(0, 50));
  const y = a.rows.map((r) => r.is_fraud ?? 0);
  const rate = y.reduce<number>((s, v) => s + v, 0) / y.length;
  expect(rate).toBeGreaterThan(0.015);
  expect(rate).toBeLessThan(0.05);
  let meanP = 0;
  a.rows.forEach((r, i) => {
    expect(a.trueProbability[i]).toBeCloseTo(trueFraudProbability(r), 12);
    meanP += a.trueProbability[i] / a.rows.length;
  });
  expect(Math.abs(meanP - rate)).toBeLessThan(0.005);
  expect(rocAuc(y, a.trueProbability)).toBeGreaterThan(0.7); // a learnable signal, unlike the original's
  const night = a.rows.filter((r) => r.hour_of_day <= 5);
  const nightRate = night.filter((r) => r.is_fraud === 1).length / night.length;
  expect(nightRate).toBeGreaterThan(rate);
  // day_of_week agrees with the timestamp (Monday = 0).
  for (const r of a.rows.slice(0, 100))
    expect((new Date(`${r.transaction_ts.slice(0, 10)}T00:00:00Z`).getUTCDay() + 6) % 7).toBe(r.day_of_week);
});

test('--drift shifts the chosen distributions', () => {
  const base = generateTransactions({ rows: 10_000, seed: 3 }).rows;
  const drift = generateTransactions({
    rows: 10_000,
    seed: 3,
    drift: parseDriftSpec('amount=2,night=4,category.crypto=3,logit=1'),
  });
  const median = (xs: number[]): number => xs.sort((p, q) => p - q)[xs.length >> 1];
  expect(median(drift.rows.map((r) => r.amount))).toBeGreaterThan(1.7 * median(base.map((r) => r.amount)));
  const nightShare = (rs: typeof base): number => rs.filter((r) => r.hour_of_day <= 5).length / rs.length;
  expect(nightShare(drift.rows)).toBeGreaterThan(2 * nightShare(base));
  expect(drift.rows.some((r) => r.merchant_category === 'crypto')).toBe(true);
  expect(() => parseDriftSpec('amount=-1')).toThrow(/amount must be >= 0/);
  expect(() => parseDriftSpec('speed=2')).toThrow(/unknown key/);
  expect(() => parseDriftSpec('amount')).toThrow(/must look like key=number/);
});

test('profile original reproduces the marginals and the weak signal of original_txs.csv', async () => {
  const sample = await readTransactionsCsvToArray(path.join(__dirname, '..', 'fixtures', 'original_txs.csv'));
  const gen = generateTransactions({ rows: 40_000, seed: 9, profile: 'original' });
  const quantile = (xs: number[], q: number): number =>
    [...xs].sort((p, r) => p - r)[Math.floor(q * (xs.length - 1))];
  const rate = (rs: Transaction[]): number => rs.filter((r) => r.is_fraud === 1).length / rs.length;
  for (const field of ['amount', 'avg_monthly_spend', 'customer_tenure_days'] as const) {
    for (const q of [0.1, 0.5, 0.9]) {
      const want = quantile(
        sample.rows.map((r) => r[field]),
        q,
      );
      expect(
        Math.abs(
          quantile(
            gen.rows.map((r) => r[field]),
            q,
          ) - want,
        ),
      ).toBeLessThan(0.08 * want);
    }
  }
  expect(Math.abs(rate(gen.rows) - rate(sample.rows))).toBeLessThan(0.004);
  expect(new Set(gen.rows.map((r) => r.currency))).toEqual(new Set(['CAD']));
  expect(new Set(gen.rows.map((r) => r.ip_geo_country))).toEqual(
    new Set(sample.rows.map((r) => r.ip_geo_country)),
  );
  // The weak signal: fraud is about 2.4x as frequent above 200 in both.
  const big = (rs: Transaction[]): number =>
    rate(rs.filter((r) => r.amount > 200)) / rate(rs.filter((r) => r.amount <= 200));
  expect(big(gen.rows)).toBeGreaterThan(1.8);
  expect(big(sample.rows)).toBeGreaterThan(1.8);
  const y = gen.rows.map((r) => r.is_fraud ?? 0);
  const bayes = rocAuc(y, gen.trueProbability);
  expect(bayes).toBeGreaterThan(0.59);
  expect(bayes).toBeLessThan(0.67);
  const p = profileFraudProbability('original');
  gen.rows.slice(0, 100).forEach((r, i) => expect(p(r)).toBe(gen.trueProbability[i]));
  for (const r of gen.rows.slice(0, 100))
    expect((new Date(`${r.transaction_ts.slice(0, 10)}T00:00:00Z`).getUTCDay() + 6) % 7).toBe(r.day_of_week);
  const again = (): Transaction[] => generateTransactions({ rows: 300, seed: 9, profile: 'original' }).rows;
  expect(again()).toEqual(again());
  expect(() => parseGeneratorProfile('orig')).toThrow(/unknown profile 'orig'; use one of: ours, original/);
  expect(() =>
    generateTransactions({ rows: 1, seed: 1, profile: 'original', drift: { amountScale: 2 } }),
  ).toThrow(/only available for the 'ours' profile/);
});
