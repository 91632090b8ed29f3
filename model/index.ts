/** Public entry of the model pipeline (the service imports from here or from model/features). */
export * from './schema';
export {
  FEATURE_NAMES,
  fitFeatureSpec,
  featureWidth,
  writeFeatures,
  featureMatrix,
  type FeatureSpec,
} from './features';
export * from './package/manifest';
export {
  loadModelPackage,
  findModelPackage,
  latestModelPackage,
  type LoadedModelPackage,
} from './package/loader';
export {
  trainModelPackage,
  DEFAULT_MODEL_NAME,
  type TrainModelPackageOptions,
  type TrainModelPackageResult,
} from './train/api';
export { DEFAULT_GBDT_PARAMS, type GbdtParams } from './train/gbdt';
export { generateTransactions, iterateTransactions, parseDriftSpec, type DriftSpec } from './data/generate';
export { readTransactionsCsv, readTransactionsCsvToArray, writeTransactionsCsv } from './data/csv';
