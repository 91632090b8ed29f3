/**
 * Chi-square test of independence on a contingency table, as scipy 1.10
 * `scipy.stats.chi2_contingency(table, correction)` computes it: expected counts from the
 * margins, Yates' continuity correction only when there is one degree of freedom, and the
 * chi-square survival function for the p-value. For drift the rows are baseline and current and
 * the columns are categories.
 */
import { chi2Sf } from './special';

export interface Chi2Result {
  readonly statistic: number;
  readonly pValue: number;
  readonly dof: number;
  readonly expected: number[][];
}

/** @param table rows x columns of non-negative counts; no row or column may sum to zero. */
export function chi2Contingency(table: readonly (readonly number[])[], correction = true): Chi2Result {
  const rows = table.length;
  const cols = rows > 0 ? table[0].length : 0;
  if (rows < 1 || cols < 1) throw new Error('chi2Contingency: the table is empty');
  const rowSums = new Float64Array(rows);
  const colSums = new Float64Array(cols);
  let total = 0;
  for (let r = 0; r < rows; r += 1) {
    if (table[r].length !== cols) {
      throw new Error(`chi2Contingency: row ${r} has ${table[r].length} columns, expected ${cols}`);
    }
    for (let c = 0; c < cols; c += 1) {
      const v = table[r][c];
      if (!(v >= 0) || !Number.isFinite(v)) {
        throw new Error(`chi2Contingency: cell [${r}][${c}] is ${v}; counts must be finite and >= 0`);
      }
      rowSums[r] += v;
      colSums[c] += v;
      total += v;
    }
  }
  const zeroRow = rowSums.findIndex((s) => s === 0);
  const zeroCol = colSums.findIndex((s) => s === 0);
  if (zeroRow >= 0 || zeroCol >= 0) {
    throw new Error(
      `chi2Contingency: ${zeroRow >= 0 ? `row ${zeroRow}` : `column ${zeroCol}`} sums to zero, so an expected frequency is zero`,
    );
  }
  const dof = (rows - 1) * (cols - 1);
  const expected = table.map((_, r) => Array.from(colSums, (cs) => (rowSums[r] * cs) / total));
  if (dof === 0) return { statistic: 0, pValue: 1, dof, expected };
  let stat = 0;
  for (let r = 0; r < rows; r += 1) {
    for (let c = 0; c < cols; c += 1) {
      const e = expected[r][c];
      let o = table[r][c];
      if (dof === 1 && correction) {
        const diff = e - o;
        o += Math.sign(diff) * Math.min(0.5, Math.abs(diff));
      }
      stat += (o - e) ** 2 / e;
    }
  }
  return { statistic: stat, pValue: chi2Sf(stat, dof), dof, expected };
}
