/**
 * Dependency-free SVG charts for the model report: line charts (ROC, PR, the early-stopping
 * curve, the reliability diagram) and horizontal bar charts (global importance).
 *
 * Layout rule: nothing is drawn over the data. The plot area holds only grid, reference lines
 * and the series; the title sits above it, axis labels and tick labels outside its frame, and the
 * legend in its own band below the x-axis label (never inside the plot, where it used to cover
 * the top-right of the ROC curves). `legendBand` is exported so tests can check that geometry.
 */
import type { CurvePoint } from './metrics';

export interface SvgSeries {
  label: string;
  points: CurvePoint[];
  color: string;
  /** Draw a dot at each point (few points, e.g. calibration bins). @default false */
  markers?: boolean;
  /** Dashed stroke. @default false */
  dashed?: boolean;
}

/** An axis range and the ticks to label. */
export interface AxisRange {
  min: number;
  max: number;
  ticks: number[];
  /** Decimals that show every tick exactly. @default 1 */
  decimals?: number;
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: SvgSeries[];
  /** The y = x reference line (ROC chance, perfect calibration). @default false */
  diagonal?: boolean;
  /** @default unit interval [0, 1] */
  x?: AxisRange;
  /** @default unit interval [0, 1] */
  y?: AxisRange;
  /** Vertical reference lines with a label drawn above the plot, e.g. the best round. */
  markers?: { x: number; label: string; color: string }[];
  /** Tick label formatter, for both axes. @default each axis's `decimals` */
  format?: (v: number) => string;
}

export const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export const CHART_SIZE = 420;
/** Margins of the plot area inside the chart. */
export const PLOT_MARGIN = { l: 60, r: 15, t: 40, b: 50 } as const;
const LEGEND_ROW = 16;

/** Unit interval with ticks every 0.2. */
export const UNIT_AXIS: AxisRange = { min: 0, max: 1, ticks: [0, 0.2, 0.4, 0.6, 0.8, 1] };

/** Where the legend goes: a band below the plot and its x-axis label. */
export function legendBand(entries: number): { top: number; height: number } {
  const top = PLOT_MARGIN.t + (CHART_SIZE - PLOT_MARGIN.t - PLOT_MARGIN.b) + PLOT_MARGIN.b;
  return { top, height: entries > 0 ? entries * LEGEND_ROW + 8 : 0 };
}

/** A range covering [lo, hi] with about five round ticks. */
export function niceAxis(lo: number, hi: number, floorAtZero = false): AxisRange {
  if (!(hi > lo)) hi = lo + (Math.abs(lo) || 1) * 0.1;
  const raw = (hi - lo) / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const min = floorAtZero ? 0 : Math.floor(lo / step) * step;
  const max = Math.ceil(hi / step) * step;
  const ticks: number[] = [];
  for (let v = min; v <= max + step / 2; v += step) ticks.push(Number(v.toPrecision(12)));
  const decimals = Math.max(0, ...ticks.map((t) => (String(t).split('.')[1] ?? '').length));
  return { min, max, ticks, decimals: Math.min(decimals, 6) };
}

/** A line chart; see the layout rule above. */
export function lineChartSvg(o: LineChartOptions): string {
  const xr = o.x ?? UNIT_AXIS;
  const yr = o.y ?? UNIT_AXIS;
  const fmtX = o.format ?? ((v: number) => v.toFixed(xr.decimals ?? 1));
  const fmtY = o.format ?? ((v: number) => v.toFixed(yr.decimals ?? 1));
  const m = PLOT_MARGIN;
  const w = CHART_SIZE - m.l - m.r;
  const h = CHART_SIZE - m.t - m.b;
  const band = legendBand(o.series.length);
  const height = band.top + band.height;
  const sx = (x: number): number => m.l + ((x - xr.min) / (xr.max - xr.min)) * w;
  const sy = (y: number): number => m.t + (1 - (y - yr.min) / (yr.max - yr.min)) * h;
  const px = (x: number): string => sx(x).toFixed(1);
  const py = (y: number): string => sy(y).toFixed(1);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${CHART_SIZE}" height="${height}" viewBox="0 0 ${CHART_SIZE} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${CHART_SIZE}" height="${height}" fill="white"/>`,
    `<text x="${CHART_SIZE / 2}" y="18" text-anchor="middle" font-size="14">${esc(o.title)}</text>`,
  ];
  for (const v of xr.ticks) {
    parts.push(`<line x1="${px(v)}" y1="${py(yr.min)}" x2="${px(v)}" y2="${py(yr.max)}" stroke="#eee"/>`);
    parts.push(`<text x="${px(v)}" y="${m.t + h + 16}" text-anchor="middle">${esc(fmtX(v))}</text>`);
  }
  for (const v of yr.ticks) {
    parts.push(`<line x1="${px(xr.min)}" y1="${py(v)}" x2="${px(xr.max)}" y2="${py(v)}" stroke="#eee"/>`);
    parts.push(`<text x="${m.l - 6}" y="${(sy(v) + 4).toFixed(1)}" text-anchor="end">${esc(fmtY(v))}</text>`);
  }
  parts.push(`<rect x="${m.l}" y="${m.t}" width="${w}" height="${h}" fill="none" stroke="#333"/>`);
  if (o.diagonal) {
    const lo = Math.max(xr.min, yr.min);
    const hi = Math.min(xr.max, yr.max);
    parts.push(
      `<line x1="${px(lo)}" y1="${py(lo)}" x2="${px(hi)}" y2="${py(hi)}" stroke="#999" stroke-dasharray="4 4"/>`,
    );
  }
  for (const mk of o.markers ?? []) {
    parts.push(
      `<line x1="${px(mk.x)}" y1="${py(yr.min)}" x2="${px(mk.x)}" y2="${py(yr.max)}" stroke="${mk.color}" stroke-dasharray="2 3"/>`,
    );
    // Above the frame, between title and plot: never on the data.
    parts.push(
      `<text x="${px(mk.x)}" y="${m.t - 6}" text-anchor="middle" fill="${mk.color}">${esc(mk.label)}</text>`,
    );
  }
  for (const s of o.series) {
    if (s.points.length === 0) continue; // legend-only entry (a reference line drawn above)
    const d = s.points.map((p, k) => `${k === 0 ? 'M' : 'L'}${px(p.x)},${py(p.y)}`).join(' ');
    const dash = s.dashed ? ' stroke-dasharray="6 3"' : '';
    parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>`);
    if (s.markers) {
      for (const p of s.points)
        parts.push(`<circle cx="${px(p.x)}" cy="${py(p.y)}" r="3" fill="${s.color}"/>`);
    }
  }
  parts.push(`<text x="${m.l + w / 2}" y="${m.t + h + 36}" text-anchor="middle">${esc(o.xLabel)}</text>`);
  parts.push(
    `<text x="14" y="${m.t + h / 2}" text-anchor="middle" transform="rotate(-90 14 ${m.t + h / 2})">${esc(o.yLabel)}</text>`,
  );
  parts.push(...legend(o.series, band.top));
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

function legend(series: readonly SvgSeries[], top: number): string[] {
  const parts: string[] = [];
  series.forEach((s, i) => {
    const y = top + 12 + i * LEGEND_ROW;
    const x = PLOT_MARGIN.l;
    const dash = s.dashed ? ' stroke-dasharray="6 3"' : '';
    parts.push(
      `<line x1="${x}" y1="${y - 4}" x2="${x + 20}" y2="${y - 4}" stroke="${s.color}" stroke-width="2"${dash}/>`,
    );
    parts.push(`<text x="${x + 26}" y="${y}">${esc(s.label)}</text>`);
  });
  return parts;
}

export interface Bar {
  label: string;
  value: number;
}

/**
 * Horizontal bars, largest first as given: one row per bar, its label left of the axis and its
 * value right of the bar's end (the value column is reserved, so a text never overlaps a bar).
 */
export function barChartSvg(title: string, xLabel: string, bars: readonly Bar[], color = '#d62728'): string {
  const rowH = 22;
  const labelW = 170;
  const valueW = 70;
  const top = 40;
  const plotW = CHART_SIZE - labelW - valueW - 10;
  const height = top + bars.length * rowH + 40;
  const max = Math.max(...bars.map((b) => b.value), 1e-12);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${CHART_SIZE}" height="${height}" viewBox="0 0 ${CHART_SIZE} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${CHART_SIZE}" height="${height}" fill="white"/>`,
    `<text x="${CHART_SIZE / 2}" y="18" text-anchor="middle" font-size="14">${esc(title)}</text>`,
  ];
  bars.forEach((b, i) => {
    const y = top + i * rowH;
    const bw = Math.max(0, (b.value / max) * plotW);
    parts.push(`<text x="${labelW - 6}" y="${y + 15}" text-anchor="end">${esc(b.label)}</text>`);
    parts.push(
      `<rect x="${labelW}" y="${y + 3}" width="${bw.toFixed(1)}" height="${rowH - 6}" fill="${color}"/>`,
    );
    parts.push(
      `<text x="${(labelW + bw + 4).toFixed(1)}" y="${y + 15}">${esc(b.value.toPrecision(3))}</text>`,
    );
  });
  const axisY = top + bars.length * rowH + 2;
  parts.push(`<line x1="${labelW}" y1="${top}" x2="${labelW}" y2="${axisY}" stroke="#333"/>`);
  parts.push(`<text x="${labelW + plotW / 2}" y="${axisY + 24}" text-anchor="middle">${esc(xLabel)}</text>`);
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
