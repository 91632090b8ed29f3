/** Minimal dependency-free SVG line charts for ROC and PR curves in the model report. */
import type { CurvePoint } from './metrics';

export interface SvgSeries {
  label: string;
  points: CurvePoint[];
  color: string;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A 420x420 chart on the unit square with axes, grid, optional diagonal and a legend. */
export function lineChartSvg(
  title: string,
  xLabel: string,
  yLabel: string,
  series: SvgSeries[],
  diagonal = false,
): string {
  const size = 420;
  const m = { l: 55, r: 15, t: 35, b: 50 };
  const w = size - m.l - m.r;
  const h = size - m.t - m.b;
  const px = (x: number): string => (m.l + x * w).toFixed(1);
  const py = (y: number): string => (m.t + (1 - y) * h).toFixed(1);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}" font-family="sans-serif" font-size="12">`,
    `<rect width="${size}" height="${size}" fill="white"/>`,
    `<text x="${size / 2}" y="20" text-anchor="middle" font-size="14">${esc(title)}</text>`,
  ];
  for (let k = 0; k <= 10; k += 2) {
    const v = k / 10;
    parts.push(`<line x1="${px(v)}" y1="${py(0)}" x2="${px(v)}" y2="${py(1)}" stroke="#eee"/>`);
    parts.push(`<line x1="${px(0)}" y1="${py(v)}" x2="${px(1)}" y2="${py(v)}" stroke="#eee"/>`);
    parts.push(`<text x="${px(v)}" y="${m.t + h + 16}" text-anchor="middle">${v.toFixed(1)}</text>`);
    parts.push(`<text x="${m.l - 6}" y="${Number(py(v)) + 4}" text-anchor="end">${v.toFixed(1)}</text>`);
  }
  parts.push(`<rect x="${m.l}" y="${m.t}" width="${w}" height="${h}" fill="none" stroke="#333"/>`);
  if (diagonal)
    parts.push(
      `<line x1="${px(0)}" y1="${py(0)}" x2="${px(1)}" y2="${py(1)}" stroke="#999" stroke-dasharray="4 4"/>`,
    );
  series.forEach((s, i) => {
    const d = s.points.map((p, k) => `${k === 0 ? 'M' : 'L'}${px(p.x)},${py(p.y)}`).join(' ');
    parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    const ly = m.t + 15 + i * 16;
    parts.push(
      `<line x1="${m.l + w - 150}" y1="${ly - 4}" x2="${m.l + w - 130}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2"/>`,
    );
    parts.push(`<text x="${m.l + w - 125}" y="${ly}">${esc(s.label)}</text>`);
  });
  parts.push(`<text x="${m.l + w / 2}" y="${size - 12}" text-anchor="middle">${esc(xLabel)}</text>`);
  parts.push(
    `<text x="14" y="${m.t + h / 2}" text-anchor="middle" transform="rotate(-90 14 ${m.t + h / 2})">${esc(yLabel)}</text>`,
  );
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
