/**
 * Reads the tree ensemble back from a package's model.onnx (the `ai.onnx.ml.TreeEnsembleRegressor`
 * node that model/export/onnx.ts writes), so explanations are computed from the very trees ONNX
 * Runtime scores with, and any package with a model.onnx can be explained: the service needs no
 * second copy of the model that could drift from the one it serves.
 *
 * Supported (what our exporter writes; anything else is a clear error, not a wrong answer): one
 * target, `aggregate_function` SUM, `post_transform` NONE, node modes `BRANCH_LEQ` and `LEAF`,
 * and the per-node training cover in the model metadata (`tree_node_cover`), which path-dependent
 * TreeSHAP needs and the operator has no attribute for. Packages exported before the cover was
 * added have none: `explainability(bytes)` says so instead of throwing.
 */
import { onnx } from 'onnx-proto';
import { ONNX_NODE_COVER_KEY, ONNX_TREE_OP } from '../export/onnx';
import { finishEnsemble, type TreeEnsemble } from './ensemble';

type Attr = onnx.IAttributeProto;

function attrMap(node: onnx.INodeProto): Map<string, Attr> {
  return new Map((node.attribute ?? []).map((a) => [a.name ?? '', a]));
}

const intsOf = (a: Attr | undefined): number[] => (a?.ints ?? []).map((v) => Number(v));
const floatsOf = (a: Attr | undefined): number[] => a?.floats ?? [];
const stringsOf = (a: Attr | undefined): string[] =>
  (a?.strings ?? []).map((b) => Buffer.from(b).toString('utf8'));
const stringOf = (a: Attr | undefined): string | undefined =>
  a?.s ? Buffer.from(a.s).toString('utf8') : undefined;

/** Whether the ONNX bytes can be explained, and why not when they cannot. */
export function explainability(
  bytes: Uint8Array,
): { available: true } | { available: false; reason: string } {
  try {
    ensembleFromOnnx(bytes);
    return { available: true };
  } catch (e) {
    return { available: false, reason: (e as Error).message };
  }
}

/** Decodes model.onnx bytes into a checked `TreeEnsemble`; throws naming what is unsupported. */
export function ensembleFromOnnx(bytes: Uint8Array): TreeEnsemble {
  const model = onnx.ModelProto.decode(bytes);
  const nodes = (model.graph?.node ?? []).filter(
    (n) => n.opType === ONNX_TREE_OP && n.domain === 'ai.onnx.ml',
  );
  if (nodes.length !== 1) {
    throw new Error(
      `model.onnx must hold exactly one ai.onnx.ml.${ONNX_TREE_OP} node, found ${nodes.length}`,
    );
  }
  const a = attrMap(nodes[0]);
  const problems: string[] = [];
  const nTargets = a.get('n_targets')?.i;
  if (nTargets !== undefined && Number(nTargets) !== 1)
    problems.push(`n_targets is ${Number(nTargets)}, expected 1`);
  const aggregate = stringOf(a.get('aggregate_function')) ?? 'SUM';
  if (aggregate !== 'SUM') problems.push(`aggregate_function is ${aggregate}, expected SUM`);
  const post = stringOf(a.get('post_transform')) ?? 'NONE';
  if (post !== 'NONE') problems.push(`post_transform is ${post}, expected NONE (log-odds margin)`);
  if (a.has('nodes_values_as_tensor') || a.has('target_weights_as_tensor')) {
    problems.push('double-precision (_as_tensor) attributes are not supported');
  }
  const treeIds = intsOf(a.get('nodes_treeids'));
  const nodeIds = intsOf(a.get('nodes_nodeids'));
  const featureIds = intsOf(a.get('nodes_featureids'));
  const modes = stringsOf(a.get('nodes_modes'));
  const values = floatsOf(a.get('nodes_values'));
  const trueIds = intsOf(a.get('nodes_truenodeids'));
  const falseIds = intsOf(a.get('nodes_falsenodeids'));
  const missingTrue = intsOf(a.get('nodes_missing_value_tracks_true'));
  const n = treeIds.length;
  const sameLength: [string, number][] = [
    ['nodes_nodeids', nodeIds.length],
    ['nodes_featureids', featureIds.length],
    ['nodes_modes', modes.length],
    ['nodes_values', values.length],
    ['nodes_truenodeids', trueIds.length],
    ['nodes_falsenodeids', falseIds.length],
  ];
  for (const [name, len] of sameLength)
    if (len !== n) problems.push(`${name} has ${len} entries, expected ${n}`);
  if (missingTrue.length !== 0 && missingTrue.length !== n) {
    problems.push(`nodes_missing_value_tracks_true has ${missingTrue.length} entries, expected ${n}`);
  }
  const badModes = [...new Set(modes.filter((m) => m !== 'BRANCH_LEQ' && m !== 'LEAF'))];
  if (badModes.length > 0)
    problems.push(`node modes ${badModes.join(', ')} are not supported (BRANCH_LEQ, LEAF)`);
  const coverText = (model.metadataProps ?? []).find((p) => p.key === ONNX_NODE_COVER_KEY)?.value;
  const cover = coverText ? coverText.split(',').map(Number) : [];
  if (!coverText) {
    problems.push(
      `metadata '${ONNX_NODE_COVER_KEY}' (training cover per node) is missing: re-export the model`,
    );
  } else if (cover.length !== n) {
    problems.push(`metadata '${ONNX_NODE_COVER_KEY}' has ${cover.length} entries, expected ${n}`);
  }
  const width = inputWidth(model);
  if (width === undefined) problems.push('the graph input has no fixed feature width');
  if (problems.length > 0) throw new Error(`model.onnx cannot be explained: ${problems.join('; ')}`);

  // Global index of (tree, node id); trees in order of first appearance.
  const treeOrder: number[] = [];
  const byTree = new Map<number, number[]>();
  for (let k = 0; k < n; k++) {
    let list = byTree.get(treeIds[k]);
    if (!list) {
      list = [];
      byTree.set(treeIds[k], list);
      treeOrder.push(treeIds[k]);
    }
    list.push(k);
  }
  const treeStart = new Int32Array(treeOrder.length + 1);
  const globalOf = new Map<string, number>();
  const order: number[] = [];
  treeOrder.forEach((t, i) => {
    treeStart[i] = order.length;
    const list = (byTree.get(t) as number[]).slice().sort((p, q) => nodeIds[p] - nodeIds[q]);
    // The root is the node no other node of the tree points to.
    const pointed = new Set<number>();
    for (const k of list) if (modes[k] !== 'LEAF') pointed.add(trueIds[k]).add(falseIds[k]);
    const roots = list.filter((k) => !pointed.has(nodeIds[k]));
    if (roots.length !== 1)
      throw new Error(`model.onnx cannot be explained: tree ${t} has ${roots.length} roots`);
    for (const k of [roots[0], ...list.filter((k) => k !== roots[0])]) {
      globalOf.set(`${t}:${nodeIds[k]}`, order.length);
      order.push(k);
    }
  });
  treeStart[treeOrder.length] = order.length;
  const total = order.length;
  const feature = new Int32Array(total);
  const threshold = new Float64Array(total);
  const missingLeft = new Uint8Array(total);
  const left = new Int32Array(total);
  const right = new Int32Array(total);
  const value = new Float64Array(total);
  const coverOut = new Float64Array(total);
  const child = (t: number, id: number): number => globalOf.get(`${t}:${id}`) ?? -2;
  order.forEach((k, g) => {
    const leaf = modes[k] === 'LEAF';
    feature[g] = leaf ? -1 : featureIds[k];
    threshold[g] = leaf ? 0 : values[k];
    missingLeft[g] = leaf ? 0 : (missingTrue[k] ?? 0);
    left[g] = leaf ? -1 : child(treeIds[k], trueIds[k]);
    right[g] = leaf ? -1 : child(treeIds[k], falseIds[k]);
    coverOut[g] = cover[k];
  });
  // Leaf values: target weights summed per (tree, node).
  const tTrees = intsOf(a.get('target_treeids'));
  const tNodes = intsOf(a.get('target_nodeids'));
  const tWeights = floatsOf(a.get('target_weights'));
  for (let j = 0; j < tTrees.length; j++) {
    const g = globalOf.get(`${tTrees[j]}:${tNodes[j]}`);
    if (g === undefined || feature[g] >= 0) {
      throw new Error(
        `model.onnx cannot be explained: target ${j} points at tree ${tTrees[j]} node ${tNodes[j]}, not a leaf`,
      );
    }
    value[g] += tWeights[j];
  }
  const base = floatsOf(a.get('base_values'));
  return finishEnsemble({
    width: width as number,
    baseScore: base.length > 0 ? base[0] : 0,
    treeStart,
    feature,
    threshold,
    missingLeft,
    left,
    right,
    value,
    cover: coverOut,
  });
}

function inputWidth(model: onnx.ModelProto): number | undefined {
  const dims = model.graph?.input?.[0]?.type?.tensorType?.shape?.dim ?? [];
  const last = dims[dims.length - 1];
  const v = last?.dimValue;
  return v === undefined || v === null ? undefined : Number(v);
}
