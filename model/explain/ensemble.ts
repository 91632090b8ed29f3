/**
 * A tree ensemble in flat typed arrays, the form TreeSHAP walks. It is built either from the
 * trainer's model (`ensembleFromGbdt`, at training time: report importance) or from a package's
 * model.onnx (`ensembleFromOnnx` in onnx-trees.ts: what the service and the batch CLI explain),
 * so an explanation is always of the exact trees that produced the score.
 *
 * Routing (ONNX `BRANCH_LEQ` with `nodes_missing_value_tracks_true`): a row goes to `left` when
 * `x <= threshold`, or when x is NaN and `missingLeft` is 1; otherwise to `right`.
 */
import type { GbdtModel } from '../train/gbdt';

export interface TreeEnsemble {
  /** Model input width (features per row). */
  readonly width: number;
  /** Log-odds added before the trees (ONNX `base_values[0]`). */
  readonly baseScore: number;
  /** Tree t owns global nodes [treeStart[t], treeStart[t + 1]); its root is treeStart[t]. */
  readonly treeStart: Int32Array;
  /** Split feature, -1 for a leaf. */
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly missingLeft: Uint8Array;
  /** Global node index of the children (-1 for a leaf). */
  readonly left: Int32Array;
  readonly right: Int32Array;
  /** Leaf value (log-odds); 0 for internal nodes. */
  readonly value: Float64Array;
  /** Training rows that reached the node (path-dependent TreeSHAP weights children by it). */
  readonly cover: Float64Array;
  /** Deepest leaf depth over all trees (root = 0). */
  readonly maxDepth: number;
}

export function treeCount(e: TreeEnsemble): number {
  return e.treeStart.length - 1;
}

/** Flattens the trainer's trees (same values ONNX export writes). */
export function ensembleFromGbdt(model: GbdtModel): TreeEnsemble {
  let total = 0;
  for (const t of model.trees) total += t.feature.length;
  const treeStart = new Int32Array(model.trees.length + 1);
  const feature = new Int32Array(total);
  const threshold = new Float64Array(total);
  const missingLeft = new Uint8Array(total);
  const left = new Int32Array(total);
  const right = new Int32Array(total);
  const value = new Float64Array(total);
  const cover = new Float64Array(total);
  let o = 0;
  model.trees.forEach((t, i) => {
    treeStart[i] = o;
    for (let k = 0; k < t.feature.length; k++) {
      const leaf = t.feature[k] < 0;
      feature[o + k] = leaf ? -1 : t.feature[k];
      threshold[o + k] = leaf ? 0 : t.threshold[k];
      missingLeft[o + k] = leaf ? 0 : t.missingLeft[k];
      left[o + k] = leaf ? -1 : o + t.left[k];
      right[o + k] = leaf ? -1 : o + t.right[k];
      value[o + k] = leaf ? t.value[k] : 0;
      cover[o + k] = t.count[k];
    }
    o += t.feature.length;
  });
  treeStart[model.trees.length] = o;
  const { width, baseScore } = model;
  return finishEnsemble({
    width,
    baseScore,
    treeStart,
    feature,
    threshold,
    missingLeft,
    left,
    right,
    value,
    cover,
  });
}

/** Checks the arrays (see `checkEnsemble`) and adds the depth. */
export function finishEnsemble(parts: Omit<TreeEnsemble, 'maxDepth'>): TreeEnsemble {
  checkEnsemble(parts);
  return { ...parts, maxDepth: deepestLeaf(parts) };
}

/** Depth of the deepest leaf; also proves each tree is a tree (no node reached twice, no cycle). */
function deepestLeaf(e: Omit<TreeEnsemble, 'maxDepth'>): number {
  let deepest = 0;
  const seen = new Uint8Array(e.feature.length);
  const stack: number[] = [];
  for (let t = 0; t + 1 < e.treeStart.length; t++) {
    stack.push(e.treeStart[t], 0);
    while (stack.length > 0) {
      const d = stack.pop() as number;
      const n = stack.pop() as number;
      if (seen[n])
        throw new Error(
          `tree ensemble cannot be explained: tree ${t} reaches node ${n - e.treeStart[t]} twice`,
        );
      seen[n] = 1;
      if (e.feature[n] < 0) deepest = Math.max(deepest, d);
      else stack.push(e.left[n], d + 1, e.right[n], d + 1);
    }
  }
  return deepest;
}

/**
 * Checks what TreeSHAP relies on, with one error naming every problem: children inside their
 * own tree, features inside the input width, positive covers, finite values.
 */
function checkEnsemble(e: Omit<TreeEnsemble, 'maxDepth'>): void {
  const problems: string[] = [];
  const note = (p: string): void => {
    if (problems.length < 10) problems.push(p);
  };
  if (!Number.isFinite(e.baseScore)) note(`base score ${e.baseScore} is not finite`);
  for (let t = 0; t + 1 < e.treeStart.length; t++) {
    const lo = e.treeStart[t];
    const hi = e.treeStart[t + 1];
    if (hi <= lo) note(`tree ${t} has no nodes`);
    for (let n = lo; n < hi; n++) {
      if (!(e.cover[n] > 0)) note(`tree ${t} node ${n - lo} has cover ${e.cover[n]}; covers must be > 0`);
      if (e.feature[n] < 0) {
        if (!Number.isFinite(e.value[n])) note(`tree ${t} leaf ${n - lo} has value ${e.value[n]}`);
        continue;
      }
      if (e.feature[n] >= e.width)
        note(`tree ${t} node ${n - lo} splits on feature ${e.feature[n]} >= width ${e.width}`);
      for (const c of [e.left[n], e.right[n]]) {
        if (!(c >= lo && c < hi && c !== n))
          note(`tree ${t} node ${n - lo} has child ${c - lo} outside the tree`);
      }
    }
  }
  if (problems.length > 0) throw new Error(`tree ensemble cannot be explained: ${problems.join('; ')}`);
}
