/**
 * Explanations for POST /score (`?explain=true` or `"explain": true`): per row, the top-k
 * feature contributions in log-odds from exact path-dependent TreeSHAP (model/explain), computed
 * on the trees read back from the served model.onnx, so they explain exactly the scores ONNX
 * Runtime returns: bias + every contribution = the raw margin, and sigmoid(margin) = pred_proba.
 *
 * Loaded once at boot beside the ORT session. A package whose model.onnx cannot be explained (for
 * example one exported before node covers were stored) still serves scores; /metadata says why
 * explanations are unavailable and an explain request gets a 400 saying the same.
 */
import * as fs from 'node:fs';
import {
  DEFAULT_TOP_K,
  displayValue,
  ensembleFromOnnx,
  rowExplanation,
  TreeShap,
  type RowExplanation,
} from '../../model/explain';
import type { ScoringInput } from '../../model/schema';

/** How explanations are computed, as /metadata describes them. */
export const EXPLANATION_METHOD = 'exact path-dependent TreeSHAP on the served model.onnx trees';

export class Explainer {
  private readonly phi: Float64Array;

  constructor(
    private readonly shap: TreeShap,
    private readonly featureNames: readonly string[],
  ) {
    this.phi = new Float64Array(featureNames.length);
  }

  /** Width of the model input: the largest `top` a request may ask for. */
  get width(): number {
    return this.featureNames.length;
  }

  /** One explanation per row of `features` (row-major, the model's width), rounded for JSON. */
  explain(features: Float32Array, inputs: readonly ScoringInput[], top: number): RowExplanation[] {
    const out = new Array<RowExplanation>(inputs.length);
    for (let i = 0; i < inputs.length; i += 1) {
      const margin = this.shap.explainRow(features, i, this.phi);
      const input = inputs[i];
      const ex = rowExplanation(this.phi, this.shap.expectedValue, margin, this.featureNames, top, (f) =>
        displayValue(input, features, i, f),
      );
      out[i] = {
        bias: round7(ex.bias),
        margin: round7(ex.margin),
        top: ex.top.map((c) => ({
          feature: c.feature,
          value: c.value,
          contribution: round7(c.contribution),
        })),
        rest: round7(ex.rest),
      };
    }
    return out;
  }
}

/** 7 significant digits, like the probabilities: the sum still holds to about 1e-6. */
const round7 = (x: number): number => Number(x.toPrecision(7));

export type ExplainerLoad = { readonly explainer: Explainer } | { readonly unavailable: string };

/** Reads the trees from `onnxPath`; never throws: an unexplainable model is reported instead. */
export function loadExplainer(onnxPath: string, featureNames: readonly string[]): ExplainerLoad {
  try {
    const ensemble = ensembleFromOnnx(fs.readFileSync(onnxPath));
    if (ensemble.width !== featureNames.length) {
      return {
        unavailable: `model.onnx has width ${ensemble.width}, the manifest ${featureNames.length} features`,
      };
    }
    return { explainer: new Explainer(new TreeShap(ensemble), featureNames) };
  } catch (e) {
    return { unavailable: (e as Error).message };
  }
}

/** The /metadata block describing explanations for the loaded model. */
export function explanationsMetadata(load: ExplainerLoad | undefined): Record<string, unknown> {
  if (!load) return { available: false, reason: 'no model loaded' };
  if ('unavailable' in load) return { available: false, reason: load.unavailable };
  return {
    available: true,
    method: EXPLANATION_METHOD,
    units: 'log-odds',
    request: 'POST /score?explain=true (or "explain": true in the body); optional top=K (default 5)',
    response: {
      single: 'explanation: {bias, margin, top: [{feature, value, contribution}], rest}',
      batch: 'explanations: one per instance, same shape',
      identity: 'bias + sum(top[].contribution) + rest = margin; sigmoid(margin) = pred_proba',
    },
    maxTop: load.explainer.width,
    defaultTop: Math.min(DEFAULT_TOP_K, load.explainer.width),
  };
}
