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
import { binMatrix, fitBins, MAX_BINS, type BinnedMatrix, type FeatureBins } from './binning';
import {
  allocPackedRows,
  findBestSplit,
  histogramOffsets,
  makeScratch,
  packedSample,
  subtractHistogram,
  type PackedRows,
  type SampleScratch,
  type SplitCandidate,
  type SplitConstraints,
} from './gbdt_impl';
import { SEGMENT_FIELDS } from './kernels';
import {
  HalfRunner,
  sharedF32,
  sharedF64,
  sharedI32,
  sharedU8,
  spanRows,
  storeHalf,
  WORKER_MIN_TRAINING_ROWS,
  type Span,
} from './parallel';

export interface GbdtParams {
  /** Boosting rounds (upper bound when early stopping is on). @default 500 */
  nTrees: number;
  /** Shrinkage applied to each leaf value. @default 0.1 */
  learningRate: number;
  /** Maximum depth of a tree (root = depth 0). @default 6 (trainModelPackage chooses it on validation: adaptive.ts) */
  maxDepth: number;
  /** Maximum leaves per tree. @default 2^maxDepth */
  maxLeaves: number;
  /** Minimum training rows in a leaf. @default 100 (trainModelPackage chooses it on validation: adaptive.ts) */
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
  /** Stop after this many rounds without validation improvement; 0 disables. @default 30 */
  earlyStoppingRounds: number;
  /** Seed for row/column sampling. @default 42 */
  seed: number;
  /** Threads for the hot loops (1 or 2); results are identical either way. @default 2 when the machine has 2+ cores */
  threads: number;
}

export const DEFAULT_GBDT_PARAMS: Readonly<GbdtParams> = {
  nTrees: 500,
  learningRate: 0.1,
  maxDepth: 6,
  maxLeaves: 0,
  minSamplesLeaf: 100,
  minChildWeight: 1e-3,
  l2: 1,
  minGain: 0,
  subsample: 1,
  colsample: 1,
  maxBins: MAX_BINS,
  earlyStoppingRounds: 30,
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
  /**
   * Margins of the validation rows under the returned model (the trees kept), when there is a
   * validation split: the very numbers `predictMargin(model, valid.X, valid.rows)` gives (binned
   * rows take the same branches as their float32 values, trees are added in the same order), kept
   * from the early-stopping pass so callers need not walk the trees again.
   */
  validMargin?: Float64Array;
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
  /** The leaf's rows in the store (one range per half). */
  span: Span;
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

  /** Turns `node` into a split with children lNode (x <= threshold) and rNode. */
  setSplit(node: number, s: SplitCandidate, threshold: number, lNode: number, rNode: number): void {
    this.feature[node] = s.feature;
    this.binThreshold[node] = s.bin;
    this.threshold[node] = threshold;
    this.missingLeft[node] = s.missingLeft ? 1 : 0;
    this.left[node] = lNode;
    this.right[node] = rNode;
    this.gain[node] = s.gain;
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

/** Adds `tree` outputs for store rows [start, end) to `margin`. */
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

/** Everything one training run shares between its rounds. */
interface TrainingContext {
  params: GbdtParams;
  rows: number;
  width: number;
  edges: FeatureBins[];
  nBins: Int32Array;
  off3: Int32Array;
  histSize: number;
  /** Features that can split (more than one value bin, or missing values). */
  usable: Int32Array;
  baseScore: number;
  store: PackedRows;
  /** First row of the store's second half (parallel.ts). */
  half: number;
  /** Every store row, as a span. */
  all: Span;
  margin: Float64Array;
  gh: Float32Array;
  /** Only with row subsampling. */
  scratch: SampleScratch | undefined;
  /** Active features of the current tree, shared with the worker. */
  feats: Int32Array;
  /** Segment table of the tree being applied, shared with the worker. */
  seg: Float64Array;
  runner: HalfRunner;
  histPool: Float64Array[];
  constraints: SplitConstraints;
}

/** Flattens every feature's upper edges for kBinRows. */
function flattenEdges(edges: FeatureBins[]): { upper: Float64Array; upperOff: Int32Array } {
  const upperOff = sharedI32(edges.length + 1);
  for (let f = 0; f < edges.length; f++) upperOff[f + 1] = upperOff[f] + edges[f].upper.length;
  const upper = sharedF64(upperOff[edges.length]);
  for (let f = 0; f < edges.length; f++) upper.set(edges[f].upper, upperOff[f]);
  return { upper, upperOff };
}

/** A shared-memory copy of a typed array, unless it already is on shared memory. */
function onSharedMemory<T extends Float32Array | Uint8Array>(a: T, make: (n: number) => T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const s = make(a.length);
  s.set(a);
  return s;
}

/**
 * Stage 1: bin edges from a sample, the packed row store (binned in two halves, on the worker
 * when there is one), the base score and the first gradients.
 */
function prepareTraining(input: GbdtTrainInput, params: GbdtParams): TrainingContext {
  const { X, y, rows: n, width } = input;
  const edges: FeatureBins[] = fitBins(X, n, width, params.maxBins);
  const nBins = Int32Array.from(edges, (e) => e.upper.length + 1); // +1: missing bin 0
  const { off3: off3Local, size: histSize } = histogramOffsets(nBins);
  const off3 = sharedI32(width);
  off3.set(off3Local);
  let positives = 0;
  for (let i = 0; i < n; i++) positives += y[i];
  const rate = Math.min(1 - 1e-6, Math.max(1e-6, positives / n));
  const baseScore = Math.fround(Math.log(rate / (1 - rate)));
  const store = allocPackedRows(n, width);
  const margin = sharedF64(n).fill(baseScore);
  const gh = sharedF32(2 * n);
  const scratch = params.subsample < 1 ? makeScratch(store) : undefined;
  const feats = sharedI32(width);
  const maxLeaves = Math.max(2, params.maxLeaves);
  const seg = sharedF64(SEGMENT_FIELDS * 2 * maxLeaves); // a leaf has a range in each half
  const half = storeHalf(n);
  const all: Span = { a0: 0, a1: half, b0: half, b1: n };
  const threads = n >= WORKER_MIN_TRAINING_ROWS ? params.threads : 1; // a worker would only idle
  const binning = {
    X: threads > 1 ? onSharedMemory(X, sharedF32) : X,
    y: threads > 1 ? onSharedMemory(y, sharedU8) : y,
    ...flattenEdges(edges),
  };
  const runner = new HalfRunner(
    {
      rec: store.rec,
      rb: store.rb,
      width,
      margin,
      gh,
      half,
      off3,
      feats,
      histSize,
      seg,
      binning,
    },
    { threads },
  );
  try {
    runner.binRows();
    runner.gradients(all);
  } catch (e) {
    runner.close();
    throw e;
  }
  const missing = missingPerFeature(store);
  const usable: number[] = [];
  for (let f = 0; f < width; f++) if (edges[f].upper.length > 1 || missing[f]) usable.push(f);
  return {
    params,
    rows: n,
    width,
    edges,
    nBins,
    off3,
    histSize,
    usable: Int32Array.from(usable),
    baseScore,
    store,
    half,
    all,
    margin,
    gh,
    scratch,
    feats,
    seg,
    runner,
    histPool: [],
    constraints: {
      l2: params.l2,
      minSamplesLeaf: params.minSamplesLeaf,
      minChildWeight: params.minChildWeight,
      minGain: params.minGain,
    },
  };
}

/** Which features have a missing value (bin 0) in the store. */
function missingPerFeature(s: PackedRows): Uint8Array {
  const out = new Uint8Array(s.width);
  const { recB, sb, width, rows } = s;
  for (let k = 0; k < rows; k++) {
    const row = k * sb;
    for (let f = 0; f < width; f++) if (recB[row + f] === 0) out[f] = 1;
  }
  return out;
}

/** A grown tree and where its leaves' rows are in the store. */
interface GrownTree {
  tree: Tree;
  /** Leaves whose rows were partitioned (their span holds exactly their rows). */
  finished: OpenLeaf[];
  /** Last-level splits whose rows were not partitioned: the parent node and its rows. */
  unmoved: { node: number; span: Span }[];
}

/**
 * Stage 2: grows one tree on the in-bag rows `inBag`, best gain first, partitioning rows so that
 * every open leaf is one contiguous range per store half, and building only the smaller child's
 * histogram.
 */
function growTree(ctx: TrainingContext, inBag: Span, feats: Int32Array): GrownTree {
  const { params, runner, histPool, nBins, off3, edges, constraints, histSize } = ctx;
  const takeHist = (): Float64Array => histPool.pop() ?? new Float64Array(histSize);
  const tb = new TreeBuilder();
  const rowsInTree = spanRows(inBag);
  const root = tb.add(rowsInTree);
  const rootHist = takeHist();
  runner.histogram(inBag, rootHist);
  // The root's sums from its histogram (any one feature's bins hold every row once): no serial
  // pass over the rows while the worker waits. With no feature that can split (every column
  // constant), from the rows themselves.
  let G = 0;
  let H = 0;
  if (feats.length > 0) {
    const f0 = feats[0];
    for (let p = off3[f0], end = off3[f0] + 3 * nBins[f0]; p < end; p += 3) {
      G += rootHist[p];
      H += rootHist[p + 1];
    }
  } else {
    for (const [a, b] of [
      [inBag.a0, inBag.a1],
      [inBag.b0, inBag.b1],
    ]) {
      for (let k = a; k < b; k++) {
        G += ctx.gh[2 * k];
        H += ctx.gh[2 * k + 1];
      }
    }
  }
  const open: OpenLeaf[] = [];
  const finished: OpenLeaf[] = [];
  const unmoved: GrownTree['unmoved'] = [];
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
    span: inBag,
    depth: 0,
    G,
    H,
    C: rowsInTree,
    hist: rootHist,
    split: undefined,
  });
  let leaves = 1;
  while (open.length > 0 && leaves < params.maxLeaves) {
    const leaf = takeBestLeaf(open);
    const s = leaf.split as SplitCandidate;
    const depth = leaf.depth + 1;
    // Children at max depth are leaves: their rows need not be moved; applying the tree routes
    // them with one sequential pass instead (saves the deepest partition).
    const lastLevel = depth >= params.maxDepth;
    const lNode = tb.add(s.leftC);
    const rNode = tb.add(leaf.C - s.leftC);
    tb.setSplit(leaf.node, s, edges[s.feature].upper[s.bin - 1], lNode, rNode);
    leaves++;
    const child = (
      node: number,
      span: Span,
      g: number,
      h: number,
      c: number,
      hist: Float64Array,
    ): OpenLeaf => ({
      node,
      span,
      depth,
      G: g,
      H: h,
      C: c,
      hist,
      split: undefined,
    });
    const [lg, lh, lc] = [s.leftG, s.leftH, s.leftC];
    const [rg, rh, rc] = [leaf.G - s.leftG, leaf.H - s.leftH, leaf.C - s.leftC];
    if (lastLevel) {
      // Children cannot split: no histograms needed, and their rows stay where they are (the
      // parent's span; applying the tree routes each row by its bin).
      finished.push(child(lNode, leaf.span, lg, lh, lc, leaf.hist));
      finished.push(child(rNode, leaf.span, rg, rh, rc, leaf.hist));
      unmoved.push({ node: leaf.node, span: leaf.span });
      histPool.push(leaf.hist);
      continue;
    }
    const { left, right } = runner.partition(leaf.span, s.feature, s.bin, s.missingLeft);
    const leftSmaller = spanRows(left) <= spanRows(right);
    const small = takeHist();
    runner.histogram(leftSmaller ? left : right, small);
    subtractHistogram(leaf.hist, small, feats, leaf.hist, off3, nBins); // parent hist becomes the larger child's
    consider(child(lNode, left, lg, lh, lc, leftSmaller ? small : leaf.hist));
    consider(child(rNode, right, rg, rh, rc, leftSmaller ? leaf.hist : small));
  }
  for (const leaf of open) {
    histPool.push(leaf.hist);
    finished.push(leaf);
  }
  for (const leaf of finished) {
    tb.value[leaf.node] = Math.fround((-params.learningRate * leaf.G) / (leaf.H + params.l2));
  }
  return { tree: tb.build(), finished, unmoved };
}

/** Removes and returns the open leaf with the best split gain (ties: lower node id, deterministic). */
function takeBestLeaf(open: OpenLeaf[]): OpenLeaf {
  let bi = 0;
  for (let k = 1; k < open.length; k++) {
    const a = open[k].split as SplitCandidate;
    const b = open[bi].split as SplitCandidate;
    if (a.gain > b.gain || (a.gain === b.gain && open[k].node < open[bi].node)) bi = k;
  }
  return open.splice(bi, 1)[0];
}

/**
 * Stage 3: adds the tree to every training row's margin and computes the next round's
 * gradients. In-bag rows go by leaf range in one parallel pass (a leaf's rows are one range per
 * store half); out-of-bag rows (row subsampling) walk the tree.
 */
function applyGrownTree(ctx: TrainingContext, grown: GrownTree, inBag: Span): void {
  const { tree, finished, unmoved } = grown;
  const { seg, runner, store, margin, all } = ctx;
  const isUnmoved = new Uint8Array(tree.feature.length);
  let nSeg = 0;
  const put = (
    start: number,
    end: number,
    feature: number,
    bin: number,
    miss: number,
    lv: number,
    rv: number,
  ): void => {
    if (start >= end) return;
    const o = nSeg++ * SEGMENT_FIELDS;
    seg[o] = start;
    seg[o + 1] = end;
    seg[o + 2] = feature;
    seg[o + 3] = bin;
    seg[o + 4] = miss;
    seg[o + 5] = lv;
    seg[o + 6] = rv;
  };
  for (const { node, span } of unmoved) {
    isUnmoved[tree.left[node]] = 1;
    isUnmoved[tree.right[node]] = 1;
    const split = [tree.feature[node], tree.binThreshold[node], tree.missingLeft[node]] as const;
    const lv = tree.value[tree.left[node]];
    const rv = tree.value[tree.right[node]];
    put(span.a0, span.a1, ...split, lv, rv);
    put(span.b0, span.b1, ...split, lv, rv);
  }
  for (const leaf of finished) {
    if (isUnmoved[leaf.node]) continue;
    const v = tree.value[leaf.node];
    put(leaf.span.a0, leaf.span.a1, -1, 0, 0, v, 0);
    put(leaf.span.b0, leaf.span.b1, -1, 0, 0, v, 0);
  }
  runner.applyTree(inBag, nSeg);
  if (spanRows(inBag) < spanRows(all)) {
    // Out-of-bag rows: the rest of each half.
    const outOfBag: Span = { a0: inBag.a1, a1: all.a1, b0: inBag.b1, b1: all.b1 };
    addTreePacked(tree, store, outOfBag.a0, outOfBag.a1, margin);
    addTreePacked(tree, store, outOfBag.b0, outOfBag.b1, margin);
    runner.gradients(outOfBag);
  }
}

/** Stage 4: the validation curve and the early-stopping decision. */
class ValidationTracker {
  readonly losses: number[] = [];
  bestIteration = 0;
  private best = Infinity;
  private readonly binned: BinnedMatrix | undefined;
  private readonly margin: Float64Array | undefined;
  /** `margin` as it was after tree `bestIteration`. */
  private readonly bestMargin: Float64Array | undefined;

  constructor(
    private readonly valid: GbdtTrainInput['valid'],
    edges: FeatureBins[],
    width: number,
    baseScore: number,
  ) {
    this.binned = valid ? binMatrix(valid.X, valid.rows, width, edges) : undefined;
    this.margin = valid ? new Float64Array(valid.rows).fill(baseScore) : undefined;
    this.bestMargin = valid ? new Float64Array(valid.rows) : undefined;
  }

  /** The validation margins under the first `trees` trees: the last added or the best. */
  marginAfter(trees: number, added: number): Float64Array | undefined {
    if (trees === added) return this.margin;
    return trees === this.bestIteration ? this.bestMargin : undefined;
  }

  /** Adds tree number `round` (1-based); returns its validation loss, if there is a validation set. */
  add(tree: Tree, round: number): number | undefined {
    if (!this.valid || !this.binned || !this.margin) {
      this.bestIteration = round;
      return undefined;
    }
    addTreeBinned(tree, this.binned, this.margin);
    const loss = logLossOf(this.margin, this.valid.y);
    this.losses.push(loss);
    if (loss < this.best - 1e-12) {
      this.best = loss;
      this.bestIteration = round;
      this.bestMargin?.set(this.margin);
    }
    return loss;
  }

  shouldStop(round: number, patience: number): boolean {
    return this.valid !== undefined && patience > 0 && round - this.bestIteration >= patience;
  }
}

/** The features of one tree (column subsampling), written to the shared feature list. */
function chooseFeatures(ctx: TrainingContext, rng: Rng, colOrder: Int32Array, nColumns: number): Int32Array {
  let chosen: Int32Array;
  if (nColumns < colOrder.length) {
    rng.shuffle(colOrder);
    chosen = colOrder.slice(0, nColumns).sort();
  } else chosen = ctx.usable;
  ctx.feats.set(chosen);
  ctx.runner.nFeats = chosen.length;
  return ctx.feats.subarray(0, chosen.length);
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
  const ctx = prepareTraining(input, params);
  try {
    return boost(ctx, input, onProgress);
  } finally {
    ctx.runner.close();
  }
}

/** The boosting rounds: sample, grow, apply, validate, maybe stop. */
function boost(
  ctx: TrainingContext,
  input: GbdtTrainInput,
  onProgress?: (p: TrainingProgress) => void,
): GbdtTrainResult {
  const { params, store, margin, gh, scratch, half, all } = ctx;
  const rng = new Rng(params.seed);
  const nextRandom = (): number => rng.next();
  const validation = new ValidationTracker(input.valid, ctx.edges, ctx.width, ctx.baseScore);
  const trees: Tree[] = [];
  const trainLosses: number[] = [];
  const nColumns = Math.max(1, Math.round(params.colsample * ctx.usable.length));
  const colOrder = Int32Array.from(ctx.usable);
  for (let t = 0; t < params.nTrees; t++) {
    // Row sample: in-bag rows are moved to the front of each store half.
    const inBag = scratch
      ? packedSample(store, margin, gh, params.subsample, nextRandom, scratch, half)
      : all;
    const feats = chooseFeatures(ctx, rng, colOrder, nColumns);
    const grown = growTree(ctx, inBag, feats);
    trees.push(grown.tree);
    applyGrownTree(ctx, grown, inBag);
    // Training loss costs a full pass: computed every 10 rounds and at the end.
    const trainLoss = t % 10 === 9 || t === params.nTrees - 1 ? ctx.runner.logLoss(all) : NaN;
    trainLosses.push(trainLoss);
    const validLoss = validation.add(grown.tree, t + 1);
    onProgress?.({
      tree: t + 1,
      totalTrees: params.nTrees,
      trainLoss,
      validLoss,
      bestIteration: validation.bestIteration,
    });
    if (validation.shouldStop(t + 1, params.earlyStoppingRounds)) break;
  }
  const kept =
    input.valid && params.earlyStoppingRounds > 0
      ? trees.slice(0, Math.max(1, validation.bestIteration))
      : trees;
  const validMargin = validation.marginAfter(kept.length, trees.length);
  return {
    model: { kind: 'gbdt', width: ctx.width, baseScore: ctx.baseScore, trees: kept, params },
    ...(validMargin ? { validMargin } : {}),
    history: { train: trainLosses, valid: validation.losses },
    bestIteration: kept.length,
  };
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
  return sigmoidInPlace(predictMargin(model, X, rows));
}

/** Probabilities of margins (log-odds), in a new array; the formula predictProba uses. */
export function sigmoid(margin: ArrayLike<number>): Float64Array {
  return sigmoidInPlace(Float64Array.from(margin));
}

function sigmoidInPlace(m: Float64Array): Float64Array {
  for (let i = 0; i < m.length; i++) m[i] = 1 / (1 + Math.exp(-m[i]));
  return m;
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
