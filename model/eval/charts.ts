/**
 * The report's charts, one function per figure, each returning SVG text (see svg.ts for the
 * layout rule: titles, labels and legends never cover the data).
 */
import type { CalibrationBin, CurvePoint } from './metrics';
import { barChartSvg, lineChartSvg, niceAxis } from './svg';

const f4 = (x: number): string => (Number.isFinite(x) ? x.toFixed(4) : 'n/a');
const GBDT = '#d62728';
const LOGISTIC = '#1f77b4';

export interface CurvePair {
  readonly gbdt: CurvePoint[];
  readonly logistic: CurvePoint[];
}

export function rocChartSvg(roc: CurvePair, auc: { gbdt: number; logistic: number }): string {
  return lineChartSvg({
    title: 'ROC curve (test split)',
    xLabel: 'false positive rate',
    yLabel: 'true positive rate',
    diagonal: true,
    series: [
      { label: `GBDT, ROC AUC ${f4(auc.gbdt)}`, points: roc.gbdt, color: GBDT },
      { label: `logistic baseline, ROC AUC ${f4(auc.logistic)}`, points: roc.logistic, color: LOGISTIC },
      // The chance line is drawn by `diagonal`; listed so the legend explains it.
      { label: 'chance', points: [], color: '#999', dashed: true },
    ],
  });
}

export function prChartSvg(pr: CurvePair, ap: { gbdt: number; logistic: number }): string {
  return lineChartSvg({
    title: 'Precision-recall curve (test split)',
    xLabel: 'recall',
    yLabel: 'precision',
    series: [
      { label: `GBDT, average precision ${f4(ap.gbdt)}`, points: pr.gbdt, color: GBDT },
      {
        label: `logistic baseline, average precision ${f4(ap.logistic)}`,
        points: pr.logistic,
        color: LOGISTIC,
      },
    ],
  });
}

/**
 * Validation log loss per round (the early-stopping curve), the training loss where it was
 * computed, and a marker at the kept round.
 */
export function earlyStoppingChartSvg(
  validationLoss: readonly number[],
  trainLoss: readonly number[],
  best: number,
): string {
  const valid = validationLoss.map((y, i) => ({ x: i + 1, y }));
  const train = trainLoss.map((y, i) => ({ x: i + 1, y })).filter((p) => Number.isFinite(p.y));
  const ys = [...valid, ...train].map((p) => p.y);
  const rounds = Math.max(validationLoss.length, trainLoss.length, 1);
  return lineChartSvg({
    title: 'Early stopping: log loss per boosting round',
    xLabel: 'boosting round (trees)',
    yLabel: 'log loss',
    x: niceAxis(0, rounds, true),
    y: niceAxis(Math.min(...ys), Math.max(...ys)),
    markers: [{ x: best, label: `kept: ${best} trees`, color: '#2ca02c' }],
    series: [
      { label: 'validation log loss (early stopping watches it)', points: valid, color: GBDT },
      {
        label: 'training log loss (every 10 rounds)',
        points: train,
        color: LOGISTIC,
        dashed: true,
        markers: true,
      },
    ],
  });
}

/** Reliability diagram: observed fraud rate against mean predicted probability per bin. */
export function reliabilityChartSvg(bins: readonly CalibrationBin[]): string {
  const points = bins.map((b) => ({ x: b.meanPredicted, y: b.observedRate }));
  // Same range on both axes so the diagonal is perfect calibration; fraud scores are small,
  // so the range follows the data instead of the unit square.
  const axis = niceAxis(0, Math.max(...points.map((p) => Math.max(p.x, p.y)), 1e-3), true);
  return lineChartSvg({
    title: 'Calibration (test split, equal-count bins)',
    xLabel: 'mean predicted probability',
    yLabel: 'observed fraud rate',
    x: axis,
    y: axis,
    diagonal: true,
    series: [
      { label: 'GBDT (one dot per bin)', points, color: GBDT, markers: true },
      { label: 'perfect calibration', points: [], color: '#999', dashed: true },
    ],
  });
}

/** Global importance: mean |SHAP| per feature, largest first. */
export function importanceChartSvg(
  features: readonly { feature: string; meanAbs: number }[],
  rows: number,
): string {
  return barChartSvg(
    `Global importance: mean |SHAP| on ${rows} test rows`,
    'mean |contribution| (log-odds)',
    [...features].sort((a, b) => b.meanAbs - a.meanAbs).map((f) => ({ label: f.feature, value: f.meanAbs })),
  );
}
