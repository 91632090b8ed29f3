/**
 * A uniform sample of at most `capacity` masked rows per window (reservoir sampling, Algorithm R),
 * for the drift job's spot checks. Rows are masked when they enter the reservoir, so clear
 * identifiers are never held past the request that carried them.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { IDENTIFIER_FIELDS, type ScoringInput } from '../../model/schema';

/** A scoring input with each identifier replaced by a salted hash, plus its score. */
export type MaskedRow = Record<string, string | number> & { pred_proba: number };

/** Length of the hex hash kept for identifiers (64 bits: joinable within a window, not reversible). */
const HASH_HEX_CHARS = 16;

/**
 * Replaces every identifier by `h:` + HMAC-SHA256(salt, value) prefix; drops nothing else.
 * Non-identifier fields are copied as validated (numbers and bounded strings).
 */
export function maskRow(input: ScoringInput, score: number, salt: string): MaskedRow {
  const out: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(input) as [string, string | number][]) {
    out[key] = (IDENTIFIER_FIELDS as readonly string[]).includes(key)
      ? `h:${createHmac('sha256', salt).update(String(value)).digest('hex').slice(0, HASH_HEX_CHARS)}`
      : value;
  }
  return { ...out, pred_proba: score };
}

export interface RowSamplerOptions {
  /** Rows kept per window; 0 disables sampling. @default 20 */
  readonly capacity?: number;
  /** HMAC salt. @default - 32 random bytes per process */
  readonly salt?: string;
  /** Uniform [0,1) source (tests pass a seeded one). @default Math.random */
  readonly random?: () => number;
}

export class RowSampler {
  private readonly capacity: number;
  private readonly salt: string;
  private readonly random: () => number;
  private reservoir: MaskedRow[] = [];
  private seen = 0;

  constructor(options: RowSamplerOptions = {}) {
    this.capacity = options.capacity ?? 20;
    this.salt = options.salt ?? randomBytes(32).toString('hex');
    this.random = options.random ?? Math.random;
  }

  offer(inputs: readonly ScoringInput[], scores: Float32Array): void {
    if (this.capacity === 0) return;
    for (let i = 0; i < inputs.length; i += 1) {
      this.seen += 1;
      if (this.reservoir.length < this.capacity) {
        this.reservoir.push(maskRow(inputs[i], scores[i], this.salt));
      } else {
        const j = Math.floor(this.random() * this.seen);
        if (j < this.capacity) this.reservoir[j] = maskRow(inputs[i], scores[i], this.salt);
      }
    }
  }

  /** Returns the window's sample and starts a new window. */
  take(): MaskedRow[] {
    const out = this.reservoir;
    this.reservoir = [];
    this.seen = 0;
    return out;
  }
}
