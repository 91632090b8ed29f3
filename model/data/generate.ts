/**
 * Synthetic transactions in the original schema, with a documented fraud process and the true
 * fraud probability of every row (so the Bayes-optimal AUC can be computed).
 *
 * The fraud process (docs/model.md explains it for readers). The label is drawn AFTER the
 * observable fields, from a probability that depends only on them, so a model that sees the
 * request can in principle reach the Bayes-optimal score:
 *
 *   r      = amount / max(avg_monthly_spend, 1)          (spend relative to the customer's typical)
 *   logit  = BASE
 *          + 2.2 * clamp(ln r + 0.2, 0, 3)               (unusually large for this customer)
 *          + 1.4 * [hour <= 5]                           (night)
 *          + 0.8 * [hour <= 5] * [r > 1]                 (large AND at night)
 *          + 0.6 * clamp(num_prev_tx_24h - 2, 0, 8)      (velocity)
 *          + 1.8 * [tenure <= 30] + 0.7 * [30 < tenure <= 180]   (new customers)
 *          + category risk + country risk + 0.15 * [weekend]
 *   p_true = NOISE + (1 - 2 NOISE) * sigmoid(logit)      (label noise: mislabelled chargebacks)
 *   is_fraud ~ Bernoulli(p_true)
 *
 * Customers are a pool with persistent tenure, typical spend, currency and devices, so ids
 * repeat realistically; identifiers carry no signal.
 */
import type { Transaction } from '../schema';
import { iterateOriginalProfile, originalFraudProbability } from './profile-original';
import { cumulative, Rng } from './rng';

/**
 * Generator profiles: `ours` (the documented process above, a learnable signal, Bayes ROC AUC
 * about 0.82) and `original` (the statistics and weak signal of the original's sample, Bayes
 * ROC AUC about 0.62; see profile-original.ts).
 */
export const GENERATOR_PROFILES = ['ours', 'original'] as const;
export type GeneratorProfile = (typeof GENERATOR_PROFILES)[number];

/** The true fraud probability function of a profile. */
export function profileFraudProbability(profile: GeneratorProfile): (tx: Transaction) => number {
  return profile === 'original' ? originalFraudProbability : (tx) => trueFraudProbability(tx);
}

/** Parses a profile name, naming the valid ones when it is unknown. */
export function parseGeneratorProfile(text: string): GeneratorProfile {
  const p = GENERATOR_PROFILES.find((x) => x === text);
  if (!p) throw new Error(`unknown profile '${text}'; use one of: ${GENERATOR_PROFILES.join(', ')}`);
  return p;
}

export const CATEGORY_RISK: Readonly<Record<string, number>> = {
  retail: 0,
  grocery: -0.8,
  entertainment: 0.3,
  utilities: -1.2,
  electronics: 1.2,
  travel: 0.9,
};
const CATEGORY_WEIGHTS: Readonly<Record<string, number>> = {
  retail: 0.25,
  grocery: 0.25,
  entertainment: 0.15,
  utilities: 0.15,
  electronics: 0.1,
  travel: 0.1,
};
/** The original's five countries are common and neutral; five rarer ones carry extra risk. */
export const COUNTRY_RISK: Readonly<Record<string, number>> = {
  CA: 0,
  US: 0,
  GB: 0,
  AU: 0,
  IN: 0.1,
  BR: 0.9,
  NG: 1.2,
  RO: 1.0,
  VN: 0.9,
  RU: 1.2,
};
const COUNTRY_WEIGHTS: Readonly<Record<string, number>> = {
  CA: 0.2,
  US: 0.2,
  GB: 0.19,
  AU: 0.19,
  IN: 0.19,
  BR: 0.006,
  NG: 0.004,
  RO: 0.004,
  VN: 0.004,
  RU: 0.004,
};
/** Hour weights: busy afternoons and evenings, quiet nights. */
const HOUR_WEIGHTS = [
  1.2, 0.8, 0.6, 0.5, 0.5, 0.7, 1.5, 2.5, 3.5, 4.2, 4.6, 5, 5.4, 5.2, 5, 5, 5.2, 5.6, 5.8, 5.4, 4.6, 3.8, 2.8, 1.9,
];
/** Intercept chosen so that the fraud rate is about 3 % (like the original sample). */
export const BASE_LOGIT = -5.0;
export const LABEL_NOISE = 0.003;

/** Distribution shifts for drift tests. Every field defaults to "no shift". */
export interface DriftSpec {
  /** Multiplies every amount. @default 1 */
  readonly amountScale?: number;
  /** Multiplies the weight of night hours (0..5). @default 1 */
  readonly nightWeight?: number;
  /** Added to the mean of num_prev_tx_24h. @default 0 */
  readonly velocityShift?: number;
  /** Share of customers that are new (tenure <= 30 days). @default 0.05 */
  readonly newCustomerShare?: number;
  /** Multiplies the weight of named merchant categories (unknown names become new categories). @default {} */
  readonly categoryWeight?: Readonly<Record<string, number>>;
  /** Multiplies the weight of named countries (unknown names become new countries). @default {} */
  readonly countryWeight?: Readonly<Record<string, number>>;
  /** Added to every logit: concept drift in the fraud rate. @default 0 */
  readonly logitShift?: number;
}

export interface GenerateOptions {
  readonly rows: number;
  readonly seed: number;
  /** Which process generates the rows. @default 'ours' */
  readonly profile?: GeneratorProfile;
  /** @default - no drift */
  readonly drift?: DriftSpec;
  /** Timestamp range start (UTC). @default '2025-08-01' */
  readonly start?: string;
  /** Days covered by the timestamps. @default 90 */
  readonly days?: number;
}

export interface GeneratedRow {
  tx: Transaction;
  /** True P(is_fraud = 1 | observable fields). */
  p: number;
}

/** True fraud probability of a transaction under the generator's process (no drift in logit). */
export function trueFraudProbability(tx: Transaction, logitShift = 0): number {
  const r = tx.amount / Math.max(tx.avg_monthly_spend, 1);
  const night = tx.hour_of_day <= 5 ? 1 : 0;
  let logit = BASE_LOGIT + logitShift;
  logit += 2.2 * clamp(Math.log(Math.max(r, 1e-9)) + 0.2, 0, 3);
  logit += 1.4 * night + 0.8 * night * (r > 1 ? 1 : 0);
  logit += 0.6 * clamp(tx.num_prev_tx_24h - 2, 0, 8);
  logit += tx.customer_tenure_days <= 30 ? 1.8 : tx.customer_tenure_days <= 180 ? 0.7 : 0;
  logit += CATEGORY_RISK[tx.merchant_category] ?? 0.5;
  logit += COUNTRY_RISK[tx.ip_geo_country] ?? 0.8;
  logit += tx.day_of_week >= 5 ? 0.15 : 0;
  return LABEL_NOISE + (1 - 2 * LABEL_NOISE) / (1 + Math.exp(-logit));
}

interface Customer {
  id: string;
  tenure: number;
  spend: number;
  currency: string;
  devices: string[];
}

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

function weights(base: Readonly<Record<string, number>>, shift: Readonly<Record<string, number>> | undefined) {
  const names = Object.keys(base);
  for (const k of Object.keys(shift ?? {})) if (!(k in base)) names.push(k);
  const w = names.map((k) => (base[k] ?? 0.02) * (shift?.[k] ?? 1));
  return { names, cum: cumulative(w) };
}

function hex8(rng: Rng): string {
  return rng.uint32().toString(16).padStart(8, '0');
}

function uuid(rng: Rng): string {
  const a = hex8(rng);
  const b = hex8(rng);
  const c = hex8(rng);
  const d = hex8(rng);
  const variant = ((parseInt(c[0], 16) & 0x3) | 0x8).toString(16);
  return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${variant}${c.slice(1, 4)}-${c.slice(4)}${d}`;
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** Streams generated rows; deterministic given the options. */
export function* iterateTransactions(opts: GenerateOptions): Generator<GeneratedRow> {
  if (!Number.isInteger(opts.rows) || opts.rows < 0) throw new Error(`rows must be a non-negative integer, got ${opts.rows}`);
  if (opts.profile === 'original') {
    if (opts.drift) throw new Error("drift is only available for the 'ours' profile");
    yield* iterateOriginalProfile({ rows: opts.rows, seed: opts.seed, start: opts.start, days: opts.days });
    return;
  }
  const drift = opts.drift ?? {};
  const rng = new Rng(opts.seed);
  const nCustomers = Math.max(50, Math.ceil(opts.rows / 20));
  const newShare = drift.newCustomerShare ?? 0.05;
  const customers: Customer[] = [];
  for (let i = 0; i < nCustomers; i++) {
    const u = rng.next();
    const tenure = u < newShare ? rng.int(1, 30) : u < newShare + 0.1 ? rng.int(31, 365) : rng.int(366, 5000);
    const spend = Math.round(clamp(300 * Math.exp(0.7 * rng.normal()), 5, 20000) * 100) / 100;
    const devices = [`D${rng.int(1, 99999)}`];
    if (rng.next() < 0.3) devices.push(`D${rng.int(1, 99999)}`);
    customers.push({ id: `C${i + 1}`, tenure, spend, currency: rng.next() < 0.85 ? 'CAD' : 'USD', devices });
  }
  const cat = weights(CATEGORY_WEIGHTS, drift.categoryWeight);
  const country = weights(COUNTRY_WEIGHTS, drift.countryWeight);
  const nightWeight = drift.nightWeight ?? 1;
  const hourCum = cumulative(HOUR_WEIGHTS.map((w, h) => (h <= 5 ? w * nightWeight : w)));
  const amountScale = drift.amountScale ?? 1;
  const velocity = drift.velocityShift ?? 0;
  const startMs = Date.parse(`${opts.start ?? '2025-08-01'}T00:00:00Z`);
  if (Number.isNaN(startMs)) throw new Error(`start must be a date (YYYY-MM-DD), got '${opts.start}'`);
  const days = opts.days ?? 90;

  for (let i = 0; i < opts.rows; i++) {
    const c = customers[Math.floor(rng.next() * nCustomers)];
    const dayMs = startMs + Math.floor(rng.next() * days) * 86_400_000;
    const hour = rng.pick(hourCum);
    const minute = rng.int(0, 59);
    const second = rng.int(0, 59);
    const micro = rng.int(0, 999_999);
    const date = new Date(dayMs);
    const dayOfWeek = (date.getUTCDay() + 6) % 7; // Monday = 0, like Python's weekday()
    const ts = `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}T${pad(hour)}:${pad(
      minute,
    )}:${pad(second)}.${pad(micro, 6)}`;
    // Typical purchases are a fraction of monthly spend; a few are big-ticket items.
    const big = rng.next() < 0.04;
    const factor = big ? Math.exp(Math.log(1.5) + 0.5 * rng.normal()) : Math.exp(Math.log(0.25) + 0.8 * rng.normal());
    const amount = Math.round(clamp(c.spend * factor * amountScale, 0.5, 1_000_000) * 100) / 100;
    const bursty = rng.next() < 0.05;
    const prev = Math.min(50, rng.poisson(Math.max(0.05, (bursty ? 6 : 1.5) + velocity)));
    const tx: Transaction = {
      transaction_id: uuid(rng),
      transaction_ts: ts,
      customer_id: c.id,
      merchant_id: `M${rng.int(1, 5000)}`,
      amount,
      currency: c.currency,
      merchant_category: cat.names[rng.pick(cat.cum)],
      device_fingerprint: c.devices[c.devices.length === 1 ? 0 : rng.int(0, 1)],
      ip_geo_country: country.names[rng.pick(country.cum)],
      hour_of_day: hour,
      day_of_week: dayOfWeek,
      customer_tenure_days: c.tenure,
      avg_monthly_spend: c.spend,
      num_prev_tx_24h: prev,
    };
    const p = trueFraudProbability(tx, drift.logitShift ?? 0);
    tx.is_fraud = rng.next() < p ? 1 : 0;
    yield { tx, p };
  }
}

/** Generates `rows` transactions in memory with their true fraud probabilities. */
export function generateTransactions(opts: GenerateOptions): { rows: Transaction[]; trueProbability: Float64Array } {
  const rows: Transaction[] = new Array(opts.rows);
  const trueProbability = new Float64Array(opts.rows);
  let i = 0;
  for (const r of iterateTransactions(opts)) {
    rows[i] = r.tx;
    trueProbability[i++] = r.p;
  }
  return { rows, trueProbability };
}

/**
 * Parses a drift option string: `amount=1.5,night=3,velocity=1,new=0.2,logit=0.5,
 * category.electronics=2,country.NG=5`. Throws naming the bad entry.
 */
export function parseDriftSpec(text: string): DriftSpec {
  const spec: {
    amountScale?: number;
    nightWeight?: number;
    velocityShift?: number;
    newCustomerShare?: number;
    logitShift?: number;
    categoryWeight?: Record<string, number>;
    countryWeight?: Record<string, number>;
  } = {};
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([a-z]+)(?:\.([A-Za-z0-9_-]+))?=(-?[0-9.]+)$/.exec(part);
    const value = m ? Number(m[3]) : NaN;
    if (!m || !Number.isFinite(value)) {
      throw new Error(`--drift entry '${part}' must look like key=number or category.<name>=number`);
    }
    const [, key, sub] = m;
    const positive = (what: string): number => {
      if (value < 0) throw new Error(`--drift ${what} must be >= 0, got ${value}`);
      return value;
    };
    if (key === 'amount' && !sub) spec.amountScale = positive('amount');
    else if (key === 'night' && !sub) spec.nightWeight = positive('night');
    else if (key === 'velocity' && !sub) spec.velocityShift = value;
    else if (key === 'new' && !sub) {
      if (value > 1) throw new Error(`--drift new must be a share in 0..1, got ${value}`);
      spec.newCustomerShare = positive('new');
    } else if (key === 'logit' && !sub) spec.logitShift = value;
    else if (key === 'category' && sub) (spec.categoryWeight ??= {})[sub] = positive(`category.${sub}`);
    else if (key === 'country' && sub) (spec.countryWeight ??= {})[sub] = positive(`country.${sub}`);
    else {
      throw new Error(
        `--drift entry '${part}': unknown key; use amount, night, velocity, new, logit, category.<name>, country.<code>`,
      );
    }
  }
  return spec;
}
