/** A short markdown summary of a drift report (CI step summaries; the HTML holds the charts). */
import type { DriftReport } from './compare';

const num = (x: number): string => (x !== 0 && Math.abs(x) < 1e-3 ? x.toExponential(2) : x.toFixed(4));

export function renderDriftMarkdown(report: DriftReport): string {
  const head = report.drifted
    ? `**Drift detected** in ${report.driftedFeatures.length} of ${report.features.length} tests: ${report.driftedFeatures.map((f) => `\`${f}\``).join(', ')}.`
    : `No drift in ${report.features.length} tests.`;
  return [
    `### Drift: ${report.model}`,
    '',
    `${head} Current data: ${report.source}${report.window ? ` (${report.window.start} to ${report.window.end})` : ''}, ${report.rows.current} rows; rules: p < ${report.thresholds.pValue}${report.thresholds.correction === 'bonferroni' ? ' (Bonferroni)' : ''}${report.thresholds.psi > 0 ? ` or PSI >= ${report.thresholds.psi}` : ''}.`,
    '',
    '| feature | test | statistic | p-value | PSI | drifted |',
    '|---|---|---|---|---|---|',
    ...report.features.map(
      (f) =>
        `| ${f.feature} | ${f.test} | ${num(f.statistic)} | ${num(f.pValue)} | ${num(f.psi)} | ${f.drifted ? `**yes** (${f.reasons.join(', ')})` : 'no'} |`,
    ),
    '',
  ].join('\n');
}
