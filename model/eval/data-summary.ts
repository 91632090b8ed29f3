/**
 * Training-data summary for the report, computed with danfojs-node (the product card asks for
 * it for data-frame work). danfojs is loaded lazily because `require` alone costs ~1.5 s and its
 * pure-JS backend is slow on big frames: we give it at most `maxRows` rows (a deterministic
 * stride sample) and do all hot-loop work on typed arrays elsewhere (docs/model.md).
 */
import type { TransactionColumns } from '../data/columns';
import { emptyTransaction } from '../data/columns';
import { IMPUTED_FIELDS } from '../features';

/** The raw numeric fields: amount plus the optional ones the features impute. */
const COLUMNS = ['amount', ...IMPUTED_FIELDS] as const;

/** Markdown table: describe() of the numeric columns plus fraud rate by merchant category. */
export async function danfoDataSummary(data: TransactionColumns, maxRows = 100_000): Promise<string> {
  const dfd = await import('danfojs-node');
  const stride = Math.max(1, Math.ceil(data.length / maxRows));
  const cols: Record<string, number[]> = Object.fromEntries(COLUMNS.map((c) => [c, [] as number[]]));
  const category: string[] = [];
  const fraud: number[] = [];
  const tx = emptyTransaction();
  for (let i = 0; i < data.length; i += stride) {
    data.read(i, tx);
    for (const c of COLUMNS) cols[c].push(tx[c]);
    category.push(tx.merchant_category);
    fraud.push(tx.is_fraud ?? 0);
  }
  const df = new dfd.DataFrame(cols);
  const described = df.describe();
  const stats = described.index.map(String);
  const header = `| column | ${stats.join(' | ')} |`;
  const sep = `| --- | ${stats.map(() => '---:').join(' | ')} |`;
  const values = described.values as unknown as number[][];
  const rows = described.columns.map((col, j) => {
    const cells = stats.map((_, s) => formatNumber(values[s][j]));
    return `| ${col} | ${cells.join(' | ')} |`;
  });
  const byCat = new dfd.DataFrame({ merchant_category: category, is_fraud: fraud })
    .groupby(['merchant_category'])
    .agg({ is_fraud: ['mean', 'count'] });
  const catValues = byCat.values as unknown as [string, number, number][];
  const catRows = catValues
    .slice()
    .sort((a, b) => b[1] - a[1])
    .map(([c, mean, count]) => `| ${c} | ${count} | ${(100 * mean).toFixed(2)} % |`);
  return [
    `${stride > 1 ? `Sample of ${category.length} rows (every ${stride}th).` : `${category.length} rows.`}`,
    '',
    header,
    sep,
    ...rows,
    '',
    '| merchant_category | rows | fraud rate |',
    '| --- | ---: | ---: |',
    ...catRows,
  ].join('\n');
}

function formatNumber(v: unknown): string {
  return typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : String(v);
}
