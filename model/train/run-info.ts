/**
 * What one training run did, for the report and for callers of `trainModelPackage`
 * (`result.run`, and `ReportInput.training`): the early-stopping curve, the split sizes, the
 * hyper-parameters actually used and where each came from, and the data's identity.
 */
import type { GbdtParams } from './gbdt';

/** Where an effective hyper-parameter came from. */
export type ParamSource = 'user' | 'default' | 'validation';

/** One regularization candidate tried on the validation split (see defaults.ts). */
export interface CandidateResult {
  /** Short name, e.g. 'deep' or 'shallow'. */
  readonly label: string;
  /** The parameters that differ between candidates. */
  readonly params: Readonly<Partial<GbdtParams>>;
  /** Best validation log loss it reached. */
  readonly validationLoss: number;
  /** Trees it kept (its best round). */
  readonly trees: number;
}

export interface TrainingRunInfo {
  /**
   * Validation log loss after each boosting round: index r is the loss after r + 1 trees. Empty
   * when there is no validation split. This is the early-stopping curve of the kept candidate.
   */
  readonly validationLoss: readonly number[];
  /** Training log loss after each round (computed every 10 rounds and at the end; NaN between). */
  readonly trainLoss: readonly number[];
  /** Trees kept: the round with the lowest validation loss when early stopping is on. */
  readonly bestIteration: number;
  /** Rows per split. */
  readonly sizes: { readonly train: number; readonly validation: number; readonly test: number };
  /** The effective hyper-parameters of the kept model ("defaults used"). */
  readonly params: Readonly<GbdtParams>;
  /** Per parameter: set by the user, the library default, or chosen on the validation split. */
  readonly paramSource: Readonly<Record<keyof GbdtParams, ParamSource>>;
  /** Candidates compared on the validation split (empty when nothing was chosen). */
  readonly candidates: readonly CandidateResult[];
  /** sha256 of the training data (the CSV bytes, or the canonical CSV of in-memory rows). */
  readonly dataHash: string;
  /** Generator profile of the data when the caller knows it ('ours' or 'original'). @default - unknown */
  readonly dataProfile?: string;
}
