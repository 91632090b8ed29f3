/**
 * The drift report a person reads: one self-contained HTML file (no script, no external
 * resource) with a summary table and, per feature, the baseline and current histograms as
 * inline SVG bars, drifted features first (the report's order).
 */
import type { DriftReport, FeatureDrift } from './compare';

const W = 640;
const H = 180;
const PAD = { left: 40, right: 10, top: 10, bottom: 46 };
const BASE_COLOR = '#7f8c9a';
const CURRENT_COLOR = '#d9534f';
const CURRENT_OK_COLOR = '#3c78d8';

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function fmt(x: number): string {
  if (x === 0) return '0';
  return Math.abs(x) < 1e-3 ? x.toExponential(2) : x.toFixed(4);
}

/** Grouped bars: baseline (grey) and current (blue, red when drifted) per bin. */
export function histogramSvg(f: FeatureDrift): string {
  const { labels, baseline, current } = f.histogram;
  const bins = labels.length;
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const top = Math.max(1e-9, ...baseline, ...current);
  const slot = innerW / Math.max(1, bins);
  const bar = Math.max(1, slot * 0.4);
  const y = (v: number): number => PAD.top + innerH * (1 - v / top);
  const color = f.drifted ? CURRENT_COLOR : CURRENT_OK_COLOR;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(f.feature)}: baseline vs current">`,
    `<line x1="${PAD.left}" y1="${PAD.top + innerH}" x2="${W - PAD.right}" y2="${PAD.top + innerH}" stroke="#333"/>`,
    `<text x="${PAD.left - 4}" y="${PAD.top + 8}" font-size="10" text-anchor="end">${(top * 100).toFixed(0)}%</text>`,
  ];
  for (let i = 0; i < bins; i += 1) {
    const x0 = PAD.left + i * slot + (slot - 2 * bar) / 2;
    parts.push(
      `<rect x="${x0.toFixed(1)}" y="${y(baseline[i]).toFixed(1)}" width="${bar.toFixed(1)}" height="${(PAD.top + innerH - y(baseline[i])).toFixed(1)}" fill="${BASE_COLOR}"><title>baseline ${esc(labels[i])}: ${(baseline[i] * 100).toFixed(2)}%</title></rect>`,
      `<rect x="${(x0 + bar).toFixed(1)}" y="${y(current[i]).toFixed(1)}" width="${bar.toFixed(1)}" height="${(PAD.top + innerH - y(current[i])).toFixed(1)}" fill="${color}"><title>current ${esc(labels[i])}: ${(current[i] * 100).toFixed(2)}%</title></rect>`,
    );
    if (bins <= 24) {
      const cx = PAD.left + i * slot + slot / 2;
      const cy = PAD.top + innerH + 10;
      parts.push(
        `<text x="${cx.toFixed(1)}" y="${cy}" font-size="8" text-anchor="end" transform="rotate(-35 ${cx.toFixed(1)} ${cy})">${esc(labels[i])}</text>`,
      );
    }
  }
  parts.push('</svg>');
  return parts.join('');
}

export function renderDriftHtml(report: DriftReport): string {
  const rows = report.features
    .map(
      (f) =>
        `<tr class="${f.drifted ? 'drifted' : ''}"><td><a href="#f-${esc(f.feature)}">${esc(f.feature)}</a></td><td>${f.kind}</td><td>${f.test}</td><td>${fmt(f.statistic)}</td><td>${fmt(f.pValue)} (&lt; ${fmt(f.pValueThreshold)}?)</td><td>${fmt(f.psi)}${f.psiThreshold > 0 ? ` (&ge; ${f.psiThreshold}?)` : ''}</td><td>${f.drifted ? `<b>drifted</b> (${f.reasons.join(', ')})` : 'ok'}</td></tr>`,
    )
    .join('\n');
  const sections = report.features
    .map(
      (f) =>
        `<section id="f-${esc(f.feature)}"><h2>${esc(f.feature)} — ${f.drifted ? '<span class="bad">drifted</span>' : 'no drift'}</h2>` +
        `<p>${f.test} statistic ${fmt(f.statistic)}, p-value ${fmt(f.pValue)}, PSI ${fmt(f.psi)}; baseline ${f.baselineRows} rows, current ${f.currentRows} rows.` +
        ` <span class="key"><span style="color:${BASE_COLOR}">■</span> baseline <span style="color:${f.drifted ? CURRENT_COLOR : CURRENT_OK_COLOR}">■</span> current</span></p>${histogramSvg(f)}</section>`,
    )
    .join('\n');
  const verdict = report.drifted
    ? `<p class="bad">Drift detected in ${report.driftedFeatures.length} of ${report.features.length} tests: ${report.driftedFeatures.map(esc).join(', ')}.</p>`
    : `<p>No drift detected in ${report.features.length} tests.</p>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Drift report ${esc(report.model)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:900px;margin:2em auto;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px}tr.drifted{background:#fbe9e9}.bad{color:#b52b27}.key{font-size:12px;margin-left:1em}</style>
</head><body>
<h1>Drift report: ${esc(report.model)}</h1>
<p>Current data: ${esc(report.source)}${report.window ? ` (${esc(report.window.start)} to ${esc(report.window.end)})` : ''}, ${report.rows.current} rows; baseline ${report.rows.baseline} rows. Generated ${esc(report.generatedAt)}.
Rules: p-value &lt; ${report.thresholds.pValue}${report.thresholds.correction === 'bonferroni' ? ' (Bonferroni-corrected)' : ''}${report.thresholds.psi > 0 ? `, or PSI &ge; ${report.thresholds.psi}` : ''}.</p>
${verdict}
<table><tr><th>feature</th><th>kind</th><th>test</th><th>statistic</th><th>p-value</th><th>PSI</th><th>verdict</th></tr>
${rows}
</table>
${sections}
</body></html>
`;
}
