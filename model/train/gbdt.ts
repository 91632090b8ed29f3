/**
 * Histogram-based gradient-boosted decision trees for binary log-loss.
 *
 * Split rule (matches ONNX `BRANCH_LEQ`): a row goes to the left ("true") child when
 * `x <= threshold`, where threshold is a float32 data value (see binning.ts). A missing value
 * (NaN) goes left iff the node's `missingLeft` flag is set, which is exported as
 * `nodes_missing_value_tracks_true`. Leaf values and the base score are rounded to float32
 * during training, so the model evaluated here and in ONNX Runtime add the same numbers.
 *
 * Growth is leaf-wise (best gain first) bounded by `maxDepth` and `maxLeaves`; with the default
 * `maxLeaves = 2^maxDepth` this grows the same trees as depth-wise growth. Each split builds the
 * histogram of the smaller child and derives the larger one by subtraction.
 */
import { Rng } from '../data/rng';
import { availableParallelism } from 'node:os';
import { HalfRunner, sharedF32, sharedF64, sharedI32 } from './parallel';
import { binMatrix, fitBins, MAX_BINS, type BinnedMatrix, type FeatureBins } from './binning';
import {
  findBestSplit,
  histogramOffsets,
  makeScratch,
  packedLogLoss,
  packedSample,
  packRows,
  subtractHistogram,
  type PackedRows,
  type SplitCandidate,
  type SplitConstraints,
} from './gbdt_impl';

export interface GbdtParams {
  /** Boosting rounds (upper bound when early stopping is on). @default 200 */
  nTrees: number;
  /** Shrinkage applied to each leaf value. @default 0.05 */
  learningRate: number;
  /** Maximum depth of a tree (root = depth 0). @default 6 */
  maxDepth: number;
  /** Maximum leaves per tree. @default 2^maxDepth */
  maxLeaves: number;
  /** Minimum training rows in a leaf. @default 100 */
  minSamplesLeaf: number;
  /** Minimum hessian sum in a leaf. @default 0.001 */
  minChildWeight: number;
  /** L2 regularization on leaf values. @default 1 */
  l2: number;
  /** Minimum gain for a split. @default 0 */
  minGain: number;
  /** Fraction of rows sampled (without replacement) per tree. @default 1 */
  subsample: number;
  /** Fraction of features sampled per tree. @default 1 */
  colsample: number;
  /** Value bins per feature (2..255). @default 255 */
  maxBins: number;
  /** Stop after this many rounds without validation improvement; 0 disables. @default 20 */
  earlyStoppingRounds: number;
  /** Seed for row/column sampling. @default 42 */
  seed: number;
  /** Threads for the hot loops (1 or 2); results are identical either way. @default 2 when the machine has 2+ cores */
  threads: number;
}

export const DEFAULT_GBDT_PARAMS: Readonly<GbdtParams> = {
  nTrees: 200,
  learningRate: 0.05,
  maxDepth: 6,
  maxLeaves: 0,
  minSamplesLeaf: 100,
  minChildWeight: 1e-3,
  l2: 1,
  minGain: 0,
  subsample: 1,
  colsample: 1,
  maxBins: MAX_BINS,
  earlyStoppingRounds: 20,
  seed: 42,
  threads: Math.min(2, availableParallelism()),
};

/** One tree in flat arrays. Node 0 is the root; leaves have feature -1. */
export interface Tree {
  feature: Int32Array;
  /** float32-exact threshold: left iff x <= threshold (or missing and missingLeft). */
  threshold: Float64Array;
  /** The same threshold as a bin index (left iff bin <= binThreshold), for binned rows. */
  binThreshold: Uint8Array;
  missingLeft: Uint8Array;
  left: Int32Array;
  right: Int32Array;
  /** Leaf value (float32-exact, learning rate applied); 0 for internal nodes. */
  value: Float64Array;
  /** Training rows that reached the node. */
  count: Float64Array;
  /** Split gain (internal nodes). */
  gain: Float64Array;
}

export interface GbdtModel {
  kind: 'gbdt';
  width: number;
  /** float32-exact log-odds added before the trees. */
  baseScore: number;
  trees: Tree[];
  params: GbdtParams;
}

export interface TrainingProgress {
  tree: number;
  totalTrees: number;
  trainLoss: number;
  validLoss?: number;
  bestIteration?: number;
}

export interface GbdtTrainInput {
  X: Float32Array;
  y: Uint8Array;
  rows: number;
  width: number;
  /** Optional validation rows for early stopping. */
  valid?: { X: Float32Array; y: Uint8Array; rows: number };
}

export interface GbdtTrainResult {
  model: GbdtModel;
  /** Log loss per round on training rows (in-bag) and validation rows. */
  history: { train: number[]; valid: number[] };
  bestIteration: number;
}

/** Fills defaults and checks ranges; throws one error listing every bad parameter. */
export function resolveGbdtParams(p: Partial<GbdtParams> = {}): GbdtParams {
  const r: GbdtParams = { ...DEFAULT_GBDT_PARAMS, ...p };
  if (!p.maxLeaves) r.maxLeaves = 2 ** r.maxDepth;
  const errors: string[] = [];
  const check = (name: keyof GbdtParams, ok: boolean, rule: string): void => {
    if (!ok) errors.push(`${name} ${rule}, got ${String(r[name])}`);
  };
  check('nTrees', Number.isInteger(r.nTrees) && r.nTrees >= 1, 'must be an integer >= 1');
  check('learningRate', r.learningRate > 0 && r.learningRate <= 1, 'must be in (0, 1]');
  check(
    'maxDepth',
    Number.isInteger(r.maxDepth) && r.maxDepth >= 1 && r.maxDepth <= 16,
    'must be an integer in 1..16',
  );
  check('maxLeaves', Number.isInteger(r.maxLeaves) && r.maxLeaves >= 2, 'must be an integer >= 2');
  check(
    'minSamplesLeaf',
    Number.isInteger(r.minSamplesLeaf) && r.minSamplesLeaf >= 1,
    'must be an integer >= 1',
  );
  check('minChildWeight', r.minChildWeight >= 0, 'must be >= 0');
  check('l2', r.l2 >= 0, 'must be >= 0');
  check('minGain', r.minGain >= 0, 'must be >= 0');
  check('subsample', r.subsample > 0 && r.subsample <= 1, 'must be in (0, 1]');
  check('colsample', r.colsample > 0 && r.colsample <= 1, 'must be in (0, 1]');
  check(
    'maxBins',
    Number.isInteger(r.maxBins) && r.maxBins >= 2 && r.maxBins <= MAX_BINS,
    `must be an integer in 2..${MAX_BINS}`,
  );
  check(
    'earlyStoppingRounds',
    Number.isInteger(r.earlyStoppingRounds) && r.earlyStoppingRounds >= 0,
    'must be an integer >= 0',
  );
  check('seed', Number.isInteger(r.seed), 'must be an integer');
  check('threads', r.threads === 1 || r.threads === 2, 'must be 1 or 2');
  if (errors.length > 0) throw new Error(`invalid GBDT parameters: ${errors.join('; ')}`);
  return r;
}

function logLossOf(margin: Float64Array, y: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < y.length; i++) {
    const m = margin[i];
    const z = y[i] === 1 ? -m : m;
    sum += z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
  }
  return sum / Math.max(1, y.length);
}

interface OpenLeaf {
  node: number;
  start: number;
  end: number;
  depth: number;
  G: number;
  H: number;
  C: number;
  hist: Float64Array;
  split: SplitCandidate | undefined;
}

class TreeBuilder {
  feature: number[] = [];
  threshold: number[] = [];
  binThreshold: number[] = [];
  missingLeft: number[] = [];
  left: number[] = [];
  right: number[] = [];
  value: number[] = [];
  count: number[] = [];
  gain: number[] = [];

  add(count: number): number {
    this.feature.push(-1);
    this.threshold.push(0);
    this.binThreshold.push(0);
    this.missingLeft.push(0);
    this.left.push(-1);
    this.right.push(-1);
    this.value.push(0);
    this.count.push(count);
    this.gain.push(0);
    return this.feature.length - 1;
  }

  build(): Tree {
    return {
      feature: Int32Array.from(this.feature),
      threshold: Float64Array.from(this.threshold),
      binThreshold: Uint8Array.from(this.binThreshold),
      missingLeft: Uint8Array.from(this.missingLeft),
      left: Int32Array.from(this.left),
      right: Int32Array.from(this.right),
      value: Float64Array.from(this.value),
      count: Float64Array.from(this.count),
      gain: Float64Array.from(this.gain),
    };
  }
}

/** Adds `tree` outputs for binned rows to `margin`. */
function addTreeBinned(tree: Tree, m: BinnedMatrix, margin: Float64Array): void {
  const { feature, binThreshold, missingLeft, left, right, value } = tree;
  const width = m.width;
  const bins = m.bins;
  for (let i = 0; i < m.rows; i++) {
    let n = 0;
    const row = i * width;
    while (feature[n] >= 0) {
      const b = bins[row + feature[n]];
      n = (b === 0 ? missingLeft[n] === 1 : b <= binThreshold[n]) ? left[n] : right[n];
    }
    margin[i] += value[n];
  }
}

/** Adds `tree` outputs for packed rows [start, end) to `margin`. */
function addTreePacked(tree: Tree, s: PackedRows, start: number, end: number, margin: Float64Array): void {
  const { feature, binThreshold, missingLeft, left, right, value } = tree;
  const { recB, sb } = s;
  for (let k = start; k < end; k++) {
    let n = 0;
    const row = k * sb;
    while (feature[n] >= 0) {
      const b = recB[row + feature[n]];
      n = (b === 0 ? missingLeft[n] === 1 : b <= binThreshold[n]) ? left[n] : right[n];
    }
    margin[k] += value[n];
  }
}

/** Adds the leaf values of one last-level split (children are leaves) for rows [start, end). */
function addSplitPacked(
  tree: Tree,
  node: number,
  s: PackedRows,
  start: number,
  end: number,
  margin: Float64Array,
): void {
  const { recB, sb } = s;
  const f = tree.feature[node];
  const bin = tree.binThreshold[node];
  const missLeft = tree.missingLeft[node] === 1;
  const lv = tree.value[tree.left[node]];
  const rv = tree.value[tree.right[node]];
  for (let k = start; k < end; k++) {
    const b = recB[k * sb + f];
    margin[k] += (b === 0 ? missLeft : b <= bin) ? lv : rv;
  }
}

/** Trains the ensemble. Deterministic for a given input and `params.seed`. */
export function trainGbdt(
  input: GbdtTrainInput,
  partial: Partial<GbdtParams> = {},
  onProgress?: (p: TrainingProgress) => void,
): GbdtTrainResult {
  const params = resolveGbdtParams(partial);
  const { X, y, rows: n, width } = input;
  if (X.length !== n * width) throw new Error(`X has ${X.length} values, expected rows*width = ${n * width}`);
  if (y.length !== n) throw new Error(`y has ${y.length} labels, expected ${n}`);
  if (n < 2) throw new Error(`need at least 2 training rows, got ${n}`);
  const rng = new Rng(params.seed);
  const edges: FeatureBins[] = fitBins(X, n, width, params.maxBins);
  const binned = binMatrix(X, n, width, edges);
  const nBins = Int32Array.from(edges, (e) => e.upper.length + 1); // +1: missing bin 0
  const { off3, size: histSize } = histogramOffsets(nBins);
  // Features with a single value bin and no missing values cannot split; never scan them.
  const usable: number[] = [];
  for (let f = 0; f < width; f++) if (edges[f].upper.length > 1 || hasMissing(binned, f)) usable.push(f);

  let positives = 0;
  for (let i = 0; i < n; i++) positives += y[i];
  const rate = Math.min(1 - 1e-6, Math.max(1e-6, positives / n));
  const baseScore = Math.fround(Math.log(rate / (1 - rate)));
  const store = packRows(binned.bins, y, n, width);
  binned.bins = new Uint8Array(0); // the packed store holds the bins now
  const margin = sharedF64(n).fill(baseScore);
  const gh = sharedF32(2 * n);
  const scratch = makeScratch(store);
  const sharedOff3 = sharedI32(width);
  sharedOff3.set(off3);
  const sharedFeats = sharedI32(width);
  const runner = new HalfRunner(
    {
      rec: store.rec,
      rb: store.rb,
      width,
      margin,
      gh,
      sRec: scratch.rec,
      sMar: scratch.margin,
      sGh: scratch.gh,
      off3: sharedOff3,
      feats: sharedFeats,
      histSize,
    },
    n >= 2 * 16_384 ? params.threads : 1, // a worker is not worth starting for small data
  );
  try {
    return boost();
  } finally {
    runner.close();
  }

  function boost(): GbdtTrainResult {
    const valid = input.valid ? binMatrix(input.valid.X, input.valid.rows, width, edges) : undefined;
    const validMargin = valid ? new Float64Array(valid.rows).fill(baseScore) : undefined;
    const constraints: SplitConstraints = {
      l2: params.l2,
      minSamplesLeaf: params.minSamplesLeaf,
      minChildWeight: params.minChildWeight,
      minGain: params.minGain,
    };
    const histPool: Float64Array[] = [];
    const takeHist = (): Float64Array => histPool.pop() ?? new Float64Array(histSize);

    const trees: Tree[] = [];
    const history = { train: [] as number[], valid: [] as number[] };
    let bestIteration = 0;
    let bestValid = Infinity;
    const nColumns = Math.max(1, Math.round(params.colsample * usable.length));
    const colOrder = Int32Array.from(usable);

    const nextRandom = (): number => rng.next();
    for (let t = 0; t < params.nTrees; t++) {
      runner.gradients(0, n);
      // Row sample: in-bag rows are moved to the front [0, rowsInTree).
      const rowsInTree =
        params.subsample < 1 ? packedSample(store, margin, gh, params.subsample, nextRandom, scratch) : n;
      // Column sample.
      let chosen: Int32Array;
      if (nColumns < usable.length) {
        rng.shuffle(colOrder);
        chosen = colOrder.slice(0, nColumns).sort();
      } else chosen = Int32Array.from(usable);
      sharedFeats.set(chosen);
      runner.nFeats = chosen.length;
      const feats = sharedFeats.subarray(0, chosen.length);

      const tb = new TreeBuilder();
      const root = tb.add(rowsInTree);
      const rootHist = takeHist();
      runner.histogram(0, rowsInTree, rootHist);
      let G = 0;
      let H = 0;
      for (let k = 0; k < rowsInTree; k++) {
        G += gh[2 * k];
        H += gh[2 * k + 1];
      }
      const open: OpenLeaf[] = [];
      const finished: OpenLeaf[] = [];
      /** (parent node, start, end) of last-level splits whose rows were not partitioned. */
      const unmoved: number[] = [];
      const consider = (leaf: OpenLeaf): void => {
        leaf.split =
          leaf.depth < params.maxDepth
            ? findBestSplit(leaf.hist, feats, nBins, off3, leaf.G, leaf.H, leaf.C, constraints)
            : undefined;
        if (leaf.split) open.push(leaf);
        else {
          histPool.push(leaf.hist);
          finished.push(leaf);
        }
      };
      consider({
        node: root,
        start: 0,
        end: rowsInTree,
        depth: 0,
        G,
        H,
        C: rowsInTree,
        hist: rootHist,
        split: undefined,
      });
      let leaves = 1;
      while (open.length > 0 && leaves < params.maxLeaves) {
        // Best gain first; ties by node id keep growth deterministic.
        let bi = 0;
        for (let k = 1; k < open.length; k++) {
          const a = open[k].split as SplitCandidate;
          const b = open[bi].split as SplitCandidate;
          if (a.gain > b.gain || (a.gain === b.gain && open[k].node < open[bi].node)) bi = k;
        }
        const leaf = open[bi];
        open.splice(bi, 1);
        const s = leaf.split as SplitCandidate;
        const depth = leaf.depth + 1;
        // Children at max depth are leaves: their rows need not be moved; the margin update
        // below routes them with one sequential pass instead (saves the deepest partition).
        const lastLevel = depth >= params.maxDepth;
        const mid = lastLevel
          ? leaf.start + s.leftC
          : runner.partition(leaf.start, leaf.end, s.feature, s.bin, s.missingLeft);
        const lNode = tb.add(s.leftC);
        const rNode = tb.add(leaf.C - s.leftC);
        tb.feature[leaf.node] = s.feature;
        tb.binThreshold[leaf.node] = s.bin;
        tb.threshold[leaf.node] = edges[s.feature].upper[s.bin - 1];
        tb.missingLeft[leaf.node] = s.missingLeft ? 1 : 0;
        tb.left[leaf.node] = lNode;
        tb.right[leaf.node] = rNode;
        tb.gain[leaf.node] = s.gain;
        leaves++;
        const lInfo = { G: s.leftG, H: s.leftH, C: s.leftC };
        const rInfo = { G: leaf.G - s.leftG, H: leaf.H - s.leftH, C: leaf.C - s.leftC };
        const mkLeaf = (
          node: number,
          start: number,
          end: number,
          info: typeof lInfo,
          hist: Float64Array,
        ): OpenLeaf => ({
          node,
          start,
          end,
          depth,
          ...info,
          hist,
          split: undefined,
        });
        if (lastLevel) {
          // Children cannot split: no histograms needed.
          finished.push(mkLeaf(lNode, leaf.start, mid, lInfo, leaf.hist));
          finished.push(mkLeaf(rNode, mid, leaf.end, rInfo, leaf.hist));
          unmoved.push(leaf.node, leaf.start, leaf.end);
          histPool.push(leaf.hist);
          continue;
        }
        const leftSmaller = mid - leaf.start <= leaf.end - mid;
        const small = takeHist();
        if (leftSmaller) runner.histogram(leaf.start, mid, small);
        else runner.histogram(mid, leaf.end, small);
        subtractHistogram(leaf.hist, small, feats, leaf.hist, off3, nBins); // parent hist becomes the larger child's
        const lHist = leftSmaller ? small : leaf.hist;
        const rHist = leftSmaller ? leaf.hist : small;
        consider(mkLeaf(lNode, leaf.start, mid, lInfo, lHist));
        consider(mkLeaf(rNode, mid, leaf.end, rInfo, rHist));
      }
      for (const leaf of open) {
        histPool.push(leaf.hist);
        finished.push(leaf);
      }
      for (const leaf of finished) {
        tb.value[leaf.node] = Math.fround((-params.learningRate * leaf.G) / (leaf.H + params.l2));
      }
      const tree = tb.build();
      trees.push(tree);

      // In-bag rows: add by leaf range (rows are contiguous per leaf); out-of-bag rows: traverse.
      const isUnmoved = new Uint8Array(tree.feature.length);
      for (let u = 0; u < unmoved.length; u += 3) {
        const node = unmoved[u];
        isUnmoved[tree.left[node]] = 1;
        isUnmoved[tree.right[node]] = 1;
        addSplitPacked(tree, node, store, unmoved[u + 1], unmoved[u + 2], margin);
      }
      for (const leaf of finished) {
        if (isUnmoved[leaf.node]) continue;
        const v = tree.value[leaf.node];
        for (let k = leaf.start; k < leaf.end; k++) margin[k] += v;
      }
      if (rowsInTree < n) addTreePacked(tree, store, rowsInTree, n, margin);
      // Training loss costs a full pass: computed every 10 rounds and at the end.
      const trainLoss = t % 10 === 9 || t === params.nTrees - 1 ? packedLogLoss(store, margin) : NaN;
      history.train.push(trainLoss);
      let validLoss: number | undefined;
      if (valid && validMargin && input.valid) {
        addTreeBinned(tree, valid, validMargin);
        validLoss = logLossOf(validMargin, input.valid.y);
        history.valid.push(validLoss);
        if (validLoss < bestValid - 1e-12) {
          bestValid = validLoss;
          bestIteration = t + 1;
        }
      } else bestIteration = t + 1;
      onProgress?.({ tree: t + 1, totalTrees: params.nTrees, trainLoss, validLoss, bestIteration });
      if (valid && params.earlyStoppingRounds > 0 && t + 1 - bestIteration >= params.earlyStoppingRounds)
        break;
    }
    const kept = valid && params.earlyStoppingRounds > 0 ? trees.slice(0, Math.max(1, bestIteration)) : trees;
    return {
      model: { kind: 'gbdt', width, baseScore, trees: kept, params },
      history,
      bestIteration: kept.length,
    };
  }
}

function hasMissing(m: BinnedMatrix, f: number): boolean {
  for (let i = 0, o = f; i < m.rows; i++, o += m.width) if (m.bins[o] === 0) return true;
  return false;
}

/** Raw margin (log-odds) for float32 rows, evaluated exactly as ONNX BRANCH_LEQ does. */
export function predictMargin(
  model: GbdtModel,
  X: Float32Array,
  rows: number,
  out = new Float64Array(rows),
): Float64Array {
  const width = model.width;
  out.fill(model.baseScore);
  for (const tree of model.trees) {
    const { feature, threshold, missingLeft, left, right, value } = tree;
    for (let i = 0; i < rows; i++) {
      let n = 0;
      const row = i * width;
      while (feature[n] >= 0) {
        const x = X[row + feature[n]];
        n = x <= threshold[n] || (x !== x && missingLeft[n] === 1) ? left[n] : right[n];
      }
      out[i] += value[n];
    }
  }
  return out;
}

/** Fraud probability for float32 rows. */
export function predictProba(model: GbdtModel, X: Float32Array, rows: number): Float64Array {
  const out = predictMargin(model, X, rows);
  for (let i = 0; i < rows; i++) out[i] = 1 / (1 + Math.exp(-out[i]));
  return out;
}

/** Split-gain and split-count importance per feature. */
export function featureImportance(model: GbdtModel): { gain: Float64Array; splits: Uint32Array } {
  const gain = new Float64Array(model.width);
  const splits = new Uint32Array(model.width);
  for (const t of model.trees) {
    for (let k = 0; k < t.feature.length; k++) {
      if (t.feature[k] >= 0) {
        gain[t.feature[k]] += t.gain[k];
        splits[t.feature[k]]++;
      }
    }
  }
  return { gain, splits };
}
