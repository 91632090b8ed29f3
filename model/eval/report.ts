/** The human-readable model report (`report.md`) with its ROC and PR charts. */
import type { ModelManifest } from '../package/manifest';
import type { TrainingRunInfo } from '../train/run-info';
import type { CalibrationBin, Confusion, CurvePoint } from './metrics';
import { lineChartSvg } from './svg';

export interface ReportInput {
  manifest: ModelManifest;
  confusion: Confusion;
  calibration: CalibrationBin[];
  importance: { feature: string; gain: number; splits: number }[];
  curves: {
    gbdt: { roc: CurvePoint[]; pr: CurvePoint[] };
    logistic: { roc: CurvePoint[]; pr: CurvePoint[] };
  };
  /** Markdown table describing the training data (danfojs describe), if computed. */
  dataSummary?: string;
  warnings: string[];
  /** The run: validation loss per round, split sizes, defaults used, data hash/profile. @default - not shown */
  training?: TrainingRunInfo;
}

const f4 = (x: number): string => (Number.isFinite(x) ? x.toFixed(4) : 'n/a');

export function renderReport(r: ReportInput): { markdown: string; rocSvg: string; prSvg: string } {
  const m = r.manifest;
  const mt = m.metrics;
  const lines: string[] = [
    `# Model report: ${m.name}:${m.version}`,
    '',
    `Created ${m.createdAt} by code ${m.codeVersion}. Training data sha256 \`${m.trainingDataHash}\`.`,
    '',
    '## Data',
    '',
    `| split | rows |`,
    `| --- | ---: |`,
    `| train | ${mt.rows.train} |`,
    `| validation (early stopping, threshold) | ${mt.rows.validation} |`,
    `| test (all metrics below) | ${mt.rows.test} |`,
    '',
    `Fraud rate: ${(mt.fraudRate * 100).toFixed(2)} %.`,
    '',
  ];
  if (r.dataSummary)
    lines.push(
      'Training data summary (danfojs `describe()` on the raw numeric columns):',
      '',
      r.dataSummary,
      '',
    );
  if (r.warnings.length > 0) lines.push('**Warnings**', '', ...r.warnings.map((w) => `- ${w}`), '');
  lines.push(
    '## Metrics on the test split',
    '',
    '| model | ROC AUC | PR AUC | log loss | Brier |',
    '| --- | ---: | ---: | ---: | ---: |',
    `| gradient-boosted trees (${mt.trees} trees) | ${f4(mt.rocAuc)} | ${f4(mt.prAuc)} | ${f4(mt.logLoss)} | ${f4(mt.brier)} |`,
    `| logistic regression baseline | ${f4(mt.baseline.rocAuc)} | ${f4(mt.baseline.prAuc)} | ${f4(mt.baseline.logLoss)} | ${f4(mt.baseline.brier)} |`,
  );
  if (mt.bayesRocAuc !== undefined)
    lines.push(`| Bayes-optimal (true probabilities) | ${f4(mt.bayesRocAuc)} | | | |`);
  lines.push(
    '',
    '![ROC curve](roc.svg) ![Precision-recall curve](pr.svg)',
    '',
    `## Decision threshold`,
    '',
    `Threshold ${f4(m.threshold)} (maximum F1 on the validation split), applied to the test split:`,
    '',
    '| | predicted fraud | predicted legit |',
    '| --- | ---: | ---: |',
    `| actual fraud | ${r.confusion.tp} | ${r.confusion.fn} |`,
    `| actual legit | ${r.confusion.fp} | ${r.confusion.tn} |`,
    '',
    `Precision ${f4(r.confusion.precision)}, recall ${f4(r.confusion.recall)}, F1 ${f4(r.confusion.f1)}.`,
    '',
    '## Calibration (test split, equal-count bins)',
    '',
    '| predicted range | rows | mean predicted | observed fraud rate |',
    '| --- | ---: | ---: | ---: |',
    ...r.calibration.map(
      (b) => `| ${f4(b.lo)}–${f4(b.hi)} | ${b.rows} | ${f4(b.meanPredicted)} | ${f4(b.observedRate)} |`,
    ),
    '',
    '## Feature importance (total split gain)',
    '',
    '| feature | gain share | splits |',
    '| --- | ---: | ---: |',
  );
  const totalGain = r.importance.reduce((s, x) => s + x.gain, 0) || 1;
  for (const imp of [...r.importance].sort((a, b) => b.gain - a.gain)) {
    lines.push(`| ${imp.feature} | ${((100 * imp.gain) / totalGain).toFixed(1)} % | ${imp.splits} |`);
  }
  lines.push(
    '',
    '## Model input',
    '',
    `ONNX input \`${m.input.name}\` float32 [N, ${m.input.shape[1]}] in this order: ${m.input.featureNames.join(', ')}.`,
    `Output \`${m.output.name}\` [N, 1] = fraud probability (Sigmoid of \`${m.marginOutput}\`).`,
    '',
    '## Parameters',
    '',
    ...Object.entries(m.params).map(([k, v]) => `- ${k}: ${String(v)}`),
    '',
  );
  const rocSvg = lineChartSvg(
    'ROC curve (test split)',
    'false positive rate',
    'true positive rate',
    [
      { label: `GBDT AUC ${f4(mt.rocAuc)}`, points: r.curves.gbdt.roc, color: '#d62728' },
      { label: `logistic AUC ${f4(mt.baseline.rocAuc)}`, points: r.curves.logistic.roc, color: '#1f77b4' },
    ],
    true,
  );
  const prSvg = lineChartSvg('Precision-recall curve (test split)', 'recall', 'precision', [
    { label: `GBDT AP ${f4(mt.prAuc)}`, points: r.curves.gbdt.pr, color: '#d62728' },
    { label: `logistic AP ${f4(mt.baseline.prAuc)}`, points: r.curves.logistic.pr, color: '#1f77b4' },
  ]);
  return { markdown: lines.join('\n'), rocSvg, prSvg };
}
