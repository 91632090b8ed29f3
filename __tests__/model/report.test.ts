import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateTransactions } from '../../model/data/generate';
import { calibrationTable, confusionAt, curves } from '../../model/eval/metrics';
import { CHART_FILES, renderReport } from '../../model/eval/report';
import { CHART_SIZE, PLOT_MARGIN } from '../../model/eval/svg';
import { trainModelPackage, type TrainModelPackageResult } from '../../model/train/api';
import { Rng } from '../../model/data/rng';

let root: string;
let trained: TrainModelPackageResult;
beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'report-test-'));
  const { rows, trueProbability } = generateTransactions({ rows: 3000, seed: 17 });
  trained = await trainModelPackage({
    data: rows,
    trueProbability,
    outRoot: path.join(root, 'models'),
    version: '1',
    params: { nTrees: 40, maxDepth: 3, minSamplesLeaf: 20, earlyStoppingRounds: 5 },
  });
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const read = (file: string): string => fs.readFileSync(path.join(trained.dir, file), 'utf8');
const attr = (tag: string, name: string): string | undefined =>
  new RegExp(`\\b${name}="([^"]*)"`).exec(tag)?.[1];

/**
 * Every text of a line chart lies outside the plot frame (above it, below it, or left of it),
 * and every data path inside it: no legend, label or title covers the data.
 */
function expectNothingOverPlot(svg: string): void {
  const top = PLOT_MARGIN.t;
  const bottom = CHART_SIZE - PLOT_MARGIN.b;
  const left = PLOT_MARGIN.l;
  const right = CHART_SIZE - PLOT_MARGIN.r;
  const texts = svg.match(/<text [^>]*>[^<]*<\/text>/g) ?? [];
  expect(texts.length).toBeGreaterThan(5);
  for (const t of texts) {
    const x = Number(attr(t, 'x'));
    const y = Number(attr(t, 'y')); // baseline; glyphs rise about 12 px above it
    const outside =
      y <= top || y - 12 >= bottom || (attr(t, 'text-anchor') === 'end' && x <= left) || /rotate\(/.test(t);
    if (!outside) throw new Error(`text over the plot area: ${t}`);
  }
  for (const d of (svg.match(/<path d="[^"]*"/g) ?? []).map((p) => p.slice(9, -1))) {
    for (const [, xs, ys] of d.matchAll(/[ML](-?[\d.]+),(-?[\d.]+)/g)) {
      expect(Number(xs)).toBeGreaterThanOrEqual(left - 0.1);
      expect(Number(xs)).toBeLessThanOrEqual(right + 0.1);
      expect(Number(ys)).toBeGreaterThanOrEqual(top - 0.1);
      expect(Number(ys)).toBeLessThanOrEqual(bottom + 0.1);
    }
  }
}

test('no legend or label covers the data in ROC, PR, calibration and early-stopping charts', () => {
  for (const file of [CHART_FILES.roc, CHART_FILES.pr, CHART_FILES.calibration, CHART_FILES.earlyStopping]) {
    expectNothingOverPlot(read(file));
  }
});

test('the report names the data, sizes and defaults used, with the early-stopping curve and reliability diagram', () => {
  const run = trained.run;
  const md = read('report.md');
  expect(md).toContain(run.dataHash);
  expect(md).toMatch(new RegExp(`\\| train \\| ${run.sizes.train} \\|`));
  expect(md).toMatch(new RegExp(`\\| validation [^|]*\\| ${run.sizes.validation} \\|`));
  expect(md).toMatch(new RegExp(`\\| test [^|]*\\| ${run.sizes.test} \\|`));
  expect(md).toMatch(/\| maxDepth \| 3 \| user \|/);
  expect(md).toMatch(/\| l2 \| [\d.]+ \| (default|validation) \|/);
  for (const f of Object.values(CHART_FILES)) expect(md).toContain(`](${f})`);
  // Early stopping: one point per round, the kept round marked above the plot.
  const es = read(CHART_FILES.earlyStopping);
  expect(es).toContain(`kept: ${run.bestIteration} trees`);
  const valid = (es.match(/<path d="([^"]*)"/g) ?? [])[0] ?? '';
  expect(valid.match(/[ML]/g)).toHaveLength(run.validationLoss.length);
  // Calibration: one dot per bin.
  expect(read(CHART_FILES.calibration).match(/<circle /g)).toHaveLength(10);
});

test('global importance: one bar per feature, largest first, values beside (never over) the bars', () => {
  const svg = read(CHART_FILES.importance);
  const rects = (
    svg.match(/<rect x="[^"]*" y="[^"]*" width="[^"]*" height="[^"]*" fill="#d62728"\/>/g) ?? []
  ).map((r) => ({ x: Number(attr(r, 'x')), width: Number(attr(r, 'width')) }));
  expect(rects).toHaveLength(trained.manifest.input.featureNames.length);
  const widths = rects.map((r) => r.width);
  expect([...widths].sort((a, b) => b - a)).toEqual(widths);
  expect(widths[0]).toBeGreaterThan(0);
  const valueTexts = (svg.match(/<text x="[^"]*" y="[^"]*">[\d.e+-]+<\/text>/g) ?? []).map((t) =>
    Number(attr(t, 'x')),
  );
  valueTexts.forEach((x, i) => expect(x).toBeGreaterThanOrEqual(rects[i].x + rects[i].width));
  expect(read('report.md')).toMatch(/## Global importance \(mean \|SHAP\|\)[\s\S]*bias -?\d/);
});

test('without run details or SHAP importance, the report renders what exists', () => {
  const rng = new Rng(1);
  const y = Uint8Array.from({ length: 500 }, () => (rng.next() < 0.1 ? 1 : 0));
  const p = Float64Array.from(y, (v) => Math.min(1, Math.max(0, 0.1 + 0.3 * v + 0.2 * (rng.next() - 0.5))));
  const c = curves(y, p);
  const r = renderReport({
    manifest: trained.manifest,
    confusion: confusionAt(y, p, 0.3),
    calibration: calibrationTable(y, p),
    importance: [{ feature: 'amount', gain: 1, splits: 2 }],
    curves: { gbdt: c, logistic: c },
    warnings: [],
  });
  expect(Object.keys(r.charts).sort()).toEqual(
    [CHART_FILES.calibration, CHART_FILES.pr, CHART_FILES.roc].sort(),
  );
  expect(r.markdown).toMatch(/## Parameters/);
  expect(r.markdown).not.toMatch(/Global importance/);
  expectNothingOverPlot(r.rocSvg);
});
