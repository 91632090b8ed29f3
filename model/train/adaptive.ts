/**
 * Training with defaults that adapt to the data. Parameters the user did not set come from
 * DEFAULT_GBDT_PARAMS; when the user set none of the regularization parameters (depth, leaves,
 * min leaf size, L2) and there is a validation split, a small choice is made on that split:
 * a deep candidate (fine structure, for a strong signal) and a shallow one with large leaves
 * (for a weak signal, where a deep tree fits noise) are both trained with early stopping, and
 * the one with the lower validation log loss is kept. Leaf sizes scale with the training rows,
 * so the same defaults hold from 20,000 to millions of rows without per-data-set tuning.
 * `paramSource` says, per parameter, where its value came from; bench/results/model.md measures
 * each lever.
 */
import {
  DEFAULT_GBDT_PARAMS,
  resolveGbdtParams,
  trainGbdt,
  type GbdtParams,
  type GbdtTrainInput,
  type GbdtTrainResult,
  type TrainingProgress,
} from './gbdt';
import type { CandidateResult, ParamSource } from './run-info';

/** Parameters that, when the user sets any of them, switch the validation choice off. */
export const REGULARIZATION_PARAMS: readonly (keyof GbdtParams)[] = [
  'maxDepth',
  'maxLeaves',
  'minSamplesLeaf',
  'l2',
];

export interface RegularizationCandidate {
  readonly label: string;
  readonly params: Readonly<Partial<GbdtParams>>;
}

/**
 * The candidates for `rows` training rows. Minimum leaf sizes are a share of the rows (with a
 * floor), so a leaf always holds enough fraud rows for a stable value at ~3 % fraud.
 */
export function regularizationCandidates(rows: number): RegularizationCandidate[] {
  return [
    { label: 'deep', params: { maxDepth: 6, minSamplesLeaf: Math.max(100, Math.round(rows / 5000)) } },
    { label: 'shallow', params: { maxDepth: 3, minSamplesLeaf: Math.max(200, Math.round(rows / 1000)) } },
  ];
}

export interface AdaptiveTrainResult {
  readonly result: GbdtTrainResult;
  readonly candidates: readonly CandidateResult[];
  readonly paramSource: Readonly<Record<keyof GbdtParams, ParamSource>>;
}

/** Progress of one candidate (label) of the choice; undefined label when there is no choice. */
export type AdaptiveProgress = TrainingProgress & { candidate?: string };

/** Trains with the user's parameters over the defaults, choosing regularization on validation. */
export function trainWithAdaptiveDefaults(
  input: GbdtTrainInput,
  user: Partial<GbdtParams>,
  onProgress?: (p: AdaptiveProgress) => void,
): AdaptiveTrainResult {
  const userSet = (k: keyof GbdtParams): boolean => user[k] !== undefined;
  const paramSource = {} as Record<keyof GbdtParams, ParamSource>;
  for (const k of Object.keys(DEFAULT_GBDT_PARAMS) as (keyof GbdtParams)[])
    paramSource[k] = userSet(k) ? 'user' : 'default';
  resolveGbdtParams(user); // fail on bad parameters before training anything
  const choose = input.valid !== undefined && !REGULARIZATION_PARAMS.some(userSet);
  if (!choose) return { result: trainGbdt(input, user, onProgress), candidates: [], paramSource };

  let best: { result: GbdtTrainResult; loss: number; label: string } | undefined;
  const candidates: CandidateResult[] = [];
  for (const c of regularizationCandidates(input.rows)) {
    const result = trainGbdt(input, { ...user, ...c.params }, (p) =>
      onProgress?.({ ...p, candidate: c.label }),
    );
    const loss = Math.min(...result.history.valid);
    candidates.push({ label: c.label, params: c.params, validationLoss: loss, trees: result.bestIteration });
    if (!best || loss < best.loss) best = { result, loss, label: c.label };
  }
  const chosen = best as { result: GbdtTrainResult };
  for (const c of regularizationCandidates(input.rows))
    for (const k of Object.keys(c.params) as (keyof GbdtParams)[]) paramSource[k] = 'validation';
  if (!userSet('maxLeaves')) paramSource.maxLeaves = 'validation'; // follows the chosen depth
  return { result: chosen.result, candidates, paramSource };
}
