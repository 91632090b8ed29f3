/**
 * The input value shown next to a contribution. A category's model input is an ordinal code that
 * means nothing to a reader, so categorical features show the raw category sent (null when it
 * was missing; unseen and rare values share the unknown bucket's contribution). Every other
 * feature shows the number the model saw: after imputation, and derived ones (spend ratio,
 * night flag) as computed, at float32's 7 significant digits.
 */
import { CATEGORICAL_FEATURES, FEATURE_NAMES } from '../features';
import type { ScoringInput } from '../schema';

const CATEGORY_FIELD_OF: readonly (keyof ScoringInput | undefined)[] = FEATURE_NAMES.map((name) =>
  CATEGORICAL_FEATURES.includes(name) ? (name as keyof ScoringInput) : undefined,
);

export function displayValue(
  input: ScoringInput,
  features: ArrayLike<number>,
  row: number,
  feature: number,
): number | string | null {
  const field = CATEGORY_FIELD_OF[feature];
  if (field !== undefined) {
    const raw = input[field];
    return raw === undefined ? null : String(raw);
  }
  return Number(features[row * FEATURE_NAMES.length + feature].toPrecision(7));
}
