/**
 * Compact columnar store of the model-relevant fields of many transactions (identifiers and
 * timestamps are not kept). A 1,000,000-row CSV costs about 60 MB here instead of ~1 GB of
 * row objects; categorical strings are interned.
 */
import type { Transaction } from '../schema';

const NUMERIC = ['amount', 'hour_of_day', 'day_of_week', 'customer_tenure_days', 'avg_monthly_spend', 'num_prev_tx_24h'] as const;
const CATEGORICAL = ['currency', 'merchant_category', 'ip_geo_country'] as const;

/**
 * The rows of one TransactionColumns as plain transferable data (a chunk parsed on another
 * thread): numeric columns one after another, categorical codes into `dict`, labels and the
 * true probabilities when present.
 */
export interface ColumnsData {
  readonly rows: number;
  /** NUMERIC.length x rows values, column after column. */
  readonly num: Float64Array;
  /** CATEGORICAL.length x rows codes into `dict`, column after column. */
  readonly cat: Uint32Array;
  readonly dict: readonly string[];
  readonly labels: Uint8Array;
  readonly probs: Float64Array | null;
}

export class TransactionColumns {
  private cap: number;
  private n = 0;
  private num: Float64Array[];
  private cat: Uint32Array[];
  private labels: Uint8Array;
  private probs: Float64Array | undefined;
  private readonly dict: string[] = [];
  private readonly dictIndex = new Map<string, number>();

  constructor(initialCapacity = 1024, withProbability = false) {
    this.cap = Math.max(16, initialCapacity);
    this.num = NUMERIC.map(() => new Float64Array(this.cap));
    this.cat = CATEGORICAL.map(() => new Uint32Array(this.cap));
    this.labels = new Uint8Array(this.cap);
    this.probs = withProbability ? new Float64Array(this.cap) : undefined;
  }

  get length(): number {
    return this.n;
  }

  private grow(): void {
    this.cap *= 2;
    const g64 = (a: Float64Array): Float64Array => {
      const b = new Float64Array(this.cap);
      b.set(a);
      return b;
    };
    this.num = this.num.map(g64);
    this.cat = this.cat.map((a) => {
      const b = new Uint32Array(this.cap);
      b.set(a);
      return b;
    });
    const l = new Uint8Array(this.cap);
    l.set(this.labels);
    this.labels = l;
    if (this.probs) this.probs = g64(this.probs);
  }

  private intern(s: string): number {
    let id = this.dictIndex.get(s);
    if (id === undefined) {
      id = this.dict.length;
      this.dict.push(s);
      this.dictIndex.set(s, id);
    }
    return id;
  }

  push(tx: Transaction, trueProbability?: number): void {
    if (this.n === this.cap) this.grow();
    const i = this.n++;
    for (let f = 0; f < NUMERIC.length; f++) this.num[f][i] = tx[NUMERIC[f]];
    for (let f = 0; f < CATEGORICAL.length; f++) this.cat[f][i] = this.intern(tx[CATEGORICAL[f]]);
    this.labels[i] = tx.is_fraud === 1 ? 1 : 0;
    if (this.probs) this.probs[i] = trueProbability ?? NaN;
  }

  /** Fills `into` with row i (identifier fields are empty strings). Returns `into`. */
  read(i: number, into: Transaction): Transaction {
    into.amount = this.num[0][i];
    into.hour_of_day = this.num[1][i];
    into.day_of_week = this.num[2][i];
    into.customer_tenure_days = this.num[3][i];
    into.avg_monthly_spend = this.num[4][i];
    into.num_prev_tx_24h = this.num[5][i];
    into.currency = this.dict[this.cat[0][i]];
    into.merchant_category = this.dict[this.cat[1][i]];
    into.ip_geo_country = this.dict[this.cat[2][i]];
    into.is_fraud = this.labels[i] as 0 | 1;
    return into;
  }

  /** Iterates the given rows with ONE reused object (do not keep references to it). */
  *iterate(rows: ArrayLike<number>): Generator<Transaction> {
    const tx = emptyTransaction();
    for (let k = 0; k < rows.length; k++) yield this.read(rows[k], tx);
  }

  /** This store's rows as transferable data (copies). */
  toData(): ColumnsData {
    const n = this.n;
    const num = new Float64Array(NUMERIC.length * n);
    this.num.forEach((a, f) => num.set(a.subarray(0, n), f * n));
    const cat = new Uint32Array(CATEGORICAL.length * n);
    this.cat.forEach((a, f) => cat.set(a.subarray(0, n), f * n));
    return {
      rows: n,
      num,
      cat,
      dict: [...this.dict],
      labels: this.labels.slice(0, n),
      probs: this.probs ? this.probs.slice(0, n) : null,
    };
  }

  /** Appends rows made by `toData` (of a store with the same probability setting). */
  append(d: ColumnsData): void {
    if ((d.probs !== null) !== (this.probs !== undefined))
      throw new Error('cannot append rows with and without true probabilities to one store');
    while (this.cap < this.n + d.rows) this.grow();
    const at = this.n;
    for (let f = 0; f < NUMERIC.length; f++) this.num[f].set(d.num.subarray(f * d.rows, (f + 1) * d.rows), at);
    const codes = d.dict.map((s) => this.intern(s));
    for (let f = 0; f < CATEGORICAL.length; f++) {
      const src = d.cat.subarray(f * d.rows, (f + 1) * d.rows);
      const dst = this.cat[f];
      for (let i = 0; i < d.rows; i++) dst[at + i] = codes[src[i]];
    }
    this.labels.set(d.labels, at);
    if (this.probs && d.probs) this.probs.set(d.probs, at);
    this.n += d.rows;
  }

  label(i: number): 0 | 1 {
    return this.labels[i] as 0 | 1;
  }

  trueProbability(i: number): number {
    return this.probs ? this.probs[i] : NaN;
  }

  get hasTrueProbability(): boolean {
    return this.probs !== undefined;
  }

  category(field: (typeof CATEGORICAL)[number], i: number): string {
    return this.dict[this.cat[CATEGORICAL.indexOf(field)][i]];
  }
}

export function emptyTransaction(): Transaction {
  return {
    transaction_id: '',
    transaction_ts: '',
    customer_id: '',
    merchant_id: '',
    amount: 0,
    currency: '',
    merchant_category: '',
    device_fingerprint: '',
    ip_geo_country: '',
    hour_of_day: 0,
    day_of_week: 0,
    customer_tenure_days: 0,
    avg_monthly_spend: 0,
    num_prev_tx_24h: 0,
    is_fraud: 0,
  };
}
