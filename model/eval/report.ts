/**
 * The human-readable model report (`report.md`) and its charts: the data's identity and splits,
 * the training run (defaults used and where each came from, the early-stopping curve), test
 * metrics with ROC and PR curves, calibration (table and reliability diagram), the decision
 * threshold, and global importance (mean |SHAP|, plus split gain).
 */
import type { ModelManifest } from '../package/manifest';
import type { TrainingRunInfo } from '../train/run-info';
import {
  earlyStoppingChartSvg,
  importanceChartSvg,
  prChartSvg,
  reliabilityChartSvg,
  rocChartSvg,
} from './charts';
import type { CalibrationBin, Confusion, CurvePoint } from './metrics';
import type { ShapImportance } from './shap-importance';

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
  /** Global importance by mean |SHAP| (see shap-importance.ts). @default - split gain only */
  shapImportance?: ShapImportance;
}

/** Chart files of a report, by package file name. */
export const CHART_FILES = {
  roc: 'roc.svg',
  pr: 'pr.svg',
  calibration: 'calibration.svg',
  earlyStopping: 'early-stopping.svg',
  importance: 'importance.svg',
} as const;

export interface RenderedReport {
  markdown: string;
  rocSvg: string;
  prSvg: string;
  /** Every chart by file name (roc.svg and pr.svg included): write them beside report.md. */
  charts: Record<string, string>;
}

const f4 = (x: number): string => (Number.isFinite(x) ? x.toFixed(4) : 'n/a');

export function renderReport(r: ReportInput): RenderedReport {
  const m = r.manifest;
  const mt = m.metrics;
  const run = r.training;
  const charts: Record<string, string> = {};
  const sizes = run?.sizes ?? mt.rows;
  const lines: string[] = [
    `# Model report: ${m.name}:${m.version}`,
    '',
    `Created ${m.createdAt} by code ${m.codeVersion}.`,
    '',
    '## Data',
    '',
    run?.dataProfile !== undefined
      ? `Generated data, profile \`${run.dataProfile}\`; sha256 \`${run.dataHash}\`.`
      : `Training data sha256 \`${run?.dataHash ?? m.trainingDataHash}\` (no generator profile recorded).`,
    '',
    `| split | rows |`,
    `| --- | ---: |`,
    `| train | ${sizes.train} |`,
    `| validation (early stopping, threshold${run && run.candidates.length > 0 ? ', regularization choice' : ''}) | ${sizes.validation} |`,
    `| test (all metrics below) | ${sizes.test} |`,
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
  if (run) lines.push(...trainingSection(run, charts));

  charts[CHART_FILES.roc] = rocChartSvg(
    { gbdt: r.curves.gbdt.roc, logistic: r.curves.logistic.roc },
    { gbdt: mt.rocAuc, logistic: mt.baseline.rocAuc },
  );
  charts[CHART_FILES.pr] = prChartSvg(
    { gbdt: r.curves.gbdt.pr, logistic: r.curves.logistic.pr },
    { gbdt: mt.prAuc, logistic: mt.baseline.prAuc },
  );
  charts[CHART_FILES.calibration] = reliabilityChartSvg(r.calibration);
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
    `![ROC curve](${CHART_FILES.roc}) ![Precision-recall curve](${CHART_FILES.pr}) ![Reliability diagram](${CHART_FILES.calibration})`,
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
    `Reliability diagram: [${CHART_FILES.calibration}](${CHART_FILES.calibration}) (dots on the dashed diagonal are perfectly calibrated).`,
    '',
    '| predicted range | rows | mean predicted | observed fraud rate |',
    '| --- | ---: | ---: | ---: |',
    ...r.calibration.map(
      (b) => `| ${f4(b.lo)}–${f4(b.hi)} | ${b.rows} | ${f4(b.meanPredicted)} | ${f4(b.observedRate)} |`,
    ),
    '',
  );
  lines.push(...importanceSection(r, charts));
  lines.push(
    '## Model input',
    '',
    `ONNX input \`${m.input.name}\` float32 [N, ${m.input.shape[1]}] in this order: ${m.input.featureNames.join(', ')}.`,
    `Output \`${m.output.name}\` [N, 1] = fraud probability (Sigmoid of \`${m.marginOutput}\`).`,
    '',
  );
  if (!run) {
    lines.push('## Parameters', '', ...Object.entries(m.params).map(([k, v]) => `- ${k}: ${String(v)}`), '');
  }
  return {
    markdown: lines.join('\n'),
    rocSvg: charts[CHART_FILES.roc],
    prSvg: charts[CHART_FILES.pr],
    charts,
  };
}

function trainingSection(run: TrainingRunInfo, charts: Record<string, string>): string[] {
  const lines = [
    '## Training run',
    '',
    'Hyper-parameters of the kept model and where each came from (`default`: the library default;',
    '`user`: set by the caller; `validation`: chosen on the validation split).',
    '',
    '| parameter | value | source |',
    '| --- | ---: | --- |',
    ...Object.entries(run.params).map(
      ([k, v]) => `| ${k} | ${String(v)} | ${run.paramSource[k as keyof typeof run.paramSource] ?? ''} |`,
    ),
    '',
  ];
  if (run.candidates.length > 0) {
    lines.push(
      'Regularization candidates compared on the validation split:',
      '',
      '| candidate | parameters | best validation log loss | trees |',
      '| --- | --- | ---: | ---: |',
      ...run.candidates.map(
        (c) =>
          `| ${c.label} | ${Object.entries(c.params)
            .map(([k, v]) => `${k}=${String(v)}`)
            .join(', ')} | ${c.validationLoss.toFixed(5)} | ${c.trees} |`,
      ),
      '',
    );
  }
  if (run.validationLoss.length > 0) {
    charts[CHART_FILES.earlyStopping] = earlyStoppingChartSvg(
      run.validationLoss,
      run.trainLoss,
      run.bestIteration,
    );
    const best = run.validationLoss[run.bestIteration - 1];
    lines.push(
      `Early stopping kept ${run.bestIteration} of ${run.validationLoss.length} rounds (validation log loss ${Number.isFinite(best) ? best.toFixed(5) : 'n/a'}):`,
      '',
      `![Early-stopping curve](${CHART_FILES.earlyStopping})`,
      '',
    );
  } else lines.push('No validation split: no early-stopping curve.', '');
  return lines;
}

function importanceSection(r: ReportInput, charts: Record<string, string>): string[] {
  const lines: string[] = [];
  const shap = r.shapImportance;
  if (shap) {
    charts[CHART_FILES.importance] = importanceChartSvg(shap.features, shap.rows);
    const total = shap.features.reduce((s, f) => s + f.meanAbs, 0) || 1;
    lines.push(
      '## Global importance (mean |SHAP|)',
      '',
      `Mean absolute TreeSHAP contribution per feature in log-odds, on ${shap.rows} test rows; every`,
      `explanation starts from the bias ${shap.bias.toFixed(4)} (the mean margin) and adds one contribution per feature.`,
      '',
      `![Global importance](${CHART_FILES.importance})`,
      '',
      '| feature | mean abs SHAP (log-odds) | share |',
      '| --- | ---: | ---: |',
      ...[...shap.features]
        .sort((a, b) => b.meanAbs - a.meanAbs)
        .map(
          (f) => `| ${f.feature} | ${f.meanAbs.toFixed(4)} | ${((100 * f.meanAbs) / total).toFixed(1)} % |`,
        ),
      '',
    );
  }
  lines.push(
    '## Split gain (total gain of the splits on each feature)',
    '',
    '| feature | gain share | splits |',
    '| --- | ---: | ---: |',
  );
  const totalGain = r.importance.reduce((s, x) => s + x.gain, 0) || 1;
  for (const imp of [...r.importance].sort((a, b) => b.gain - a.gain)) {
    lines.push(`| ${imp.feature} | ${((100 * imp.gain) / totalGain).toFixed(1)} % | ${imp.splits} |`);
  }
  lines.push('');
  return lines;
}
