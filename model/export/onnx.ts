/**
 * ONNX export of a GBDT as `ai.onnx.ml.TreeEnsembleRegressor` (opset import ai.onnx.ml = 3)
 * producing the raw margin, followed by an explicit `Sigmoid` (PITFALLS.md §3: the op's
 * LOGISTIC post-transform is unreliable, and ai.onnx.ml opset 5 deprecates the op).
 *
 * Graph:  input [N, width] float32 -> TreeEnsembleRegressor(post_transform NONE) -> margin [N, 1]
 *         margin -> Sigmoid -> probability [N, 1]
 */
import { onnx } from 'onnx-proto';
import type { GbdtModel } from '../train/gbdt';

export const ONNX_INPUT_NAME = 'input';
export const ONNX_MARGIN_NAME = 'margin';
export const ONNX_OUTPUT_NAME = 'probability';
export const ONNX_ML_OPSET = 3;
export const ONNX_DEFAULT_OPSET = 13;
export const ONNX_TREE_OP = 'TreeEnsembleRegressor';
/**
 * Metadata key holding each node's training cover (rows that reached it), comma-separated in the
 * order of `nodes_*`. Path-dependent TreeSHAP (model/explain) needs it and the op has no such
 * attribute; keeping it in model.onnx makes the file alone enough to explain its predictions.
 */
export const ONNX_NODE_COVER_KEY = 'tree_node_cover';

const A = onnx.AttributeProto.AttributeType;
const utf8 = (s: string): Uint8Array => Buffer.from(s, 'utf8');

function ints(name: string, values: ArrayLike<number>): onnx.IAttributeProto {
  return { name, type: A.INTS, ints: Array.from(values) };
}
function floats(name: string, values: ArrayLike<number>): onnx.IAttributeProto {
  return { name, type: A.FLOATS, floats: Array.from(values) };
}
function strings(name: string, values: readonly string[]): onnx.IAttributeProto {
  return { name, type: A.STRINGS, strings: values.map(utf8) };
}
function str(name: string, value: string): onnx.IAttributeProto {
  return { name, type: A.STRING, s: utf8(value) };
}
function int(name: string, value: number): onnx.IAttributeProto {
  return { name, type: A.INT, i: value };
}

function tensorInfo(name: string, dims: (number | string)[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}

export interface OnnxExportOptions {
  /** Stored in the model's doc string and metadata. @default 'fraud-detection-model' */
  readonly name?: string;
  /** Stored in metadata. @default '0' */
  readonly version?: string;
  /** Feature names in input order, stored in metadata for humans. @default - none */
  readonly featureNames?: readonly string[];
}

/** Serializes the model to ONNX bytes. */
export function exportGbdtToOnnx(model: GbdtModel, opts: OnnxExportOptions = {}): Uint8Array {
  const nodesTreeIds: number[] = [];
  const nodesNodeIds: number[] = [];
  const nodesFeatureIds: number[] = [];
  const nodesModes: string[] = [];
  const nodesValues: number[] = [];
  const nodesTrue: number[] = [];
  const nodesFalse: number[] = [];
  const nodesMissingTrue: number[] = [];
  const targetTreeIds: number[] = [];
  const targetNodeIds: number[] = [];
  const targetIds: number[] = [];
  const targetWeights: number[] = [];
  const nodesCover: number[] = [];
  model.trees.forEach((tree, t) => {
    for (let k = 0; k < tree.feature.length; k++) {
      const leaf = tree.feature[k] < 0;
      nodesTreeIds.push(t);
      nodesNodeIds.push(k);
      nodesFeatureIds.push(leaf ? 0 : tree.feature[k]);
      nodesModes.push(leaf ? 'LEAF' : 'BRANCH_LEQ');
      nodesValues.push(leaf ? 0 : tree.threshold[k]);
      nodesTrue.push(leaf ? 0 : tree.left[k]);
      nodesFalse.push(leaf ? 0 : tree.right[k]);
      nodesMissingTrue.push(leaf ? 0 : tree.missingLeft[k]);
      nodesCover.push(tree.count[k]);
      if (leaf) {
        targetTreeIds.push(t);
        targetNodeIds.push(k);
        targetIds.push(0);
        targetWeights.push(tree.value[k]);
      }
    }
  });
  const ensemble: onnx.INodeProto = {
    name: 'gbdt',
    opType: ONNX_TREE_OP,
    domain: 'ai.onnx.ml',
    input: [ONNX_INPUT_NAME],
    output: [ONNX_MARGIN_NAME],
    attribute: [
      int('n_targets', 1),
      str('aggregate_function', 'SUM'),
      str('post_transform', 'NONE'),
      floats('base_values', [model.baseScore]),
      ints('nodes_treeids', nodesTreeIds),
      ints('nodes_nodeids', nodesNodeIds),
      ints('nodes_featureids', nodesFeatureIds),
      strings('nodes_modes', nodesModes),
      floats('nodes_values', nodesValues),
      ints('nodes_truenodeids', nodesTrue),
      ints('nodes_falsenodeids', nodesFalse),
      ints('nodes_missing_value_tracks_true', nodesMissingTrue),
      ints('target_treeids', targetTreeIds),
      ints('target_nodeids', targetNodeIds),
      ints('target_ids', targetIds),
      floats('target_weights', targetWeights),
    ],
  };
  const sigmoid: onnx.INodeProto = {
    name: 'sigmoid',
    opType: 'Sigmoid',
    domain: '',
    input: [ONNX_MARGIN_NAME],
    output: [ONNX_OUTPUT_NAME],
  };
  const name = opts.name ?? 'fraud-detection-model';
  const modelProto: onnx.IModelProto = {
    irVersion: 8,
    producerName: 'fraud-mlops-azure',
    producerVersion: '1',
    modelVersion: 1,
    docString: `${name}: gradient-boosted trees, raw margin + Sigmoid`,
    opsetImport: [
      { domain: '', version: ONNX_DEFAULT_OPSET },
      { domain: 'ai.onnx.ml', version: ONNX_ML_OPSET },
    ],
    metadataProps: [
      { key: 'name', value: name },
      { key: 'version', value: opts.version ?? '0' },
      { key: 'feature_names', value: (opts.featureNames ?? []).join(',') },
      { key: ONNX_NODE_COVER_KEY, value: nodesCover.join(',') },
    ],
    graph: {
      name,
      node: [ensemble, sigmoid],
      input: [tensorInfo(ONNX_INPUT_NAME, ['N', model.width])],
      output: [tensorInfo(ONNX_OUTPUT_NAME, ['N', 1]), tensorInfo(ONNX_MARGIN_NAME, ['N', 1])],
    },
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(modelProto)).finish();
}
