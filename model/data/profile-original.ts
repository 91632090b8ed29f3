/**
 * The `original` generator profile: transactions with the statistics of the original's published
 * sample (`__tests__/fixtures/original_txs.csv`, 20,000 rows, 2.97 % fraud), including its weak
 * signal, so that defaults can be measured where even the Bayes-optimal ROC AUC is about 0.62.
 *
 * Marginals, read off the sample (docs/model.md lists the fits):
 * - amount ~ Gamma(shape 2, scale 75) (sample: mean 150, sd 106, median 126), cents, >= 0.50;
 * - avg_monthly_spend ~ Gamma(2, 200), drawn per row like the sample (mean 400, median 337), >= 5;
 * - customer_tenure_days uniform 1..5000, num_prev_tx_24h uniform 0..5, hour and weekday uniform
 *   (both read from a timestamp uniform over 90 days), currency always CAD, five countries
 *   uniform, merchant categories 25/25/15/15/10/10 %;
 * - ids: customer C1..C<rows>, merchant M1..M5000, device D1..D99999, drawn independently.
 *
 * Fraud process: three weak indicators add to a base rate (least-squares fit on the sample):
 *
 *   p_true = 0.0186 + 0.032 [amount > 200] + 0.0167 [electronics] + 0.0048 [hour <= 5]
 *
 * No other field carries signal. The sample's own fraud rates per group agree within noise
 * (e.g. amount > 200: 5.3 % vs 2.2 %; electronics 4.4 % vs 2.8 %).
 */
import type { Transaction } from '../schema';
import { cumulative, Rng } from './rng';

export const ORIGINAL_BASE_RATE = 0.0186;
export const ORIGINAL_BIG_AMOUNT = 200;
const ORIGINAL_CATEGORIES = ['retail', 'grocery', 'entertainment', 'utilities', 'electronics', 'travel'];
const ORIGINAL_CATEGORY_WEIGHTS = [0.25, 0.25, 0.15, 0.15, 0.1, 0.1];
const ORIGINAL_COUNTRIES = ['CA', 'US', 'GB', 'AU', 'IN'];
const DAY_MS = 86_400_000;

/** True fraud probability of a transaction under the original profile's process. */
export function originalFraudProbability(tx: Transaction): number {
  return (
    ORIGINAL_BASE_RATE +
    (tx.amount > ORIGINAL_BIG_AMOUNT ? 0.032 : 0) +
    (tx.merchant_category === 'electronics' ? 0.0167 : 0) +
    (tx.hour_of_day <= 5 ? 0.0048 : 0)
  );
}

/** Gamma(2, scale): the sum of two exponentials. */
function gamma2(rng: Rng, scale: number): number {
  return -scale * (Math.log(1 - rng.next()) + Math.log(1 - rng.next()));
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
const hex = (rng: Rng, digits: number): string =>
  (rng.uint32() >>> 0).toString(16).padStart(8, '0').slice(0, digits);

/** Streams rows of the original profile; deterministic for (rows, seed, start). */
export function* iterateOriginalProfile(opts: {
  readonly rows: number;
  readonly seed: number;
  readonly start?: string;
  readonly days?: number;
}): Generator<{ tx: Transaction; p: number }> {
  const rng = new Rng(opts.seed);
  const startMs = Date.parse(`${opts.start ?? '2025-07-14'}T00:00:00Z`);
  if (Number.isNaN(startMs)) throw new Error(`start must be a date (YYYY-MM-DD), got '${opts.start}'`);
  const spanSeconds = (opts.days ?? 90) * 86_400;
  const micro = pad(rng.int(0, 999_999), 6); // the sample's timestamps share one microsecond part
  const catCum = cumulative(ORIGINAL_CATEGORY_WEIGHTS);
  const nCustomers = Math.max(1000, opts.rows);
  for (let i = 0; i < opts.rows; i++) {
    const ms = startMs + rng.int(0, spanSeconds - 1) * 1000;
    const date = new Date(ms);
    const hour = date.getUTCHours();
    const ts =
      `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}` +
      `T${pad(hour)}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}.${micro}`;
    const tx: Transaction = {
      transaction_id: `${hex(rng, 8)}-${hex(rng, 4)}-4${hex(rng, 3)}-${(8 + rng.int(0, 3)).toString(16)}${hex(rng, 3)}-${hex(rng, 8)}${hex(rng, 4)}`,
      transaction_ts: ts,
      customer_id: `C${rng.int(1, nCustomers)}`,
      merchant_id: `M${rng.int(1, 5000)}`,
      amount: Math.max(0.5, Math.round(gamma2(rng, 75) * 100) / 100),
      currency: 'CAD',
      merchant_category: ORIGINAL_CATEGORIES[rng.pick(catCum)],
      device_fingerprint: `D${rng.int(1, 99_999)}`,
      ip_geo_country: ORIGINAL_COUNTRIES[rng.int(0, ORIGINAL_COUNTRIES.length - 1)],
      hour_of_day: hour,
      day_of_week: (Math.floor(ms / DAY_MS) + 3) % 7, // 1970-01-01 was a Thursday (Monday = 0)
      customer_tenure_days: rng.int(1, 5000),
      avg_monthly_spend: Math.max(5, Math.round(gamma2(rng, 200) * 100) / 100),
      num_prev_tx_24h: rng.int(0, 5),
    };
    const p = originalFraudProbability(tx);
    tx.is_fraud = rng.next() < p ? 1 : 0;
    yield { tx, p };
  }
}
