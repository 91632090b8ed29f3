/**
 * Explanations per prediction: exact path-dependent TreeSHAP on the exported trees. The service
 * and the batch CLI load the trees from model.onnx (`ensembleFromOnnx`); training uses the
 * trainer's model directly (`ensembleFromGbdt`) for the report's global importance.
 */
export { ensembleFromGbdt, treeCount, type TreeEnsemble } from './ensemble';
export { ensembleFromOnnx, explainability } from './onnx-trees';
export { TreeShap } from './tree-shap';
export {
  DEFAULT_TOP_K,
  meanAbsShap,
  rowExplanation,
  topIndices,
  type Contribution,
  type RowExplanation,
} from './contributions';
export { displayValue } from './display-value';
