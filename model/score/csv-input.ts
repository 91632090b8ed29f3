/**
 * Parsing of scoring input: a CSV in the original transaction schema (the label column
 * `is_fraud` may be present or absent; it is ignored), one validated row at a time in constant
 * memory. Every row goes through `validateScoringInput`, the rule table the scoring API applies,
 * so a row the service would reject is rejected here with the same words, plus its line number.
 */
import { parseCsvLine, rowShapeError } from '../data/csv';
import { FIELD_RULES, TRANSACTION_FIELDS, validateScoringInput, type ScoringInput } from '../schema';

/** Columns a scoring file must have: the original header without the label. */
export const SCORING_CSV_FIELDS = TRANSACTION_FIELDS.filter((f) => f !== 'is_fraud');

export interface ScoringRowError {
  /** 1-based line in the file (the header is line 1). */
  readonly line: number;
  readonly field: string;
  readonly value: unknown;
  readonly rule: string;
}

const NUMBER_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const NUMERIC_FIELD = new Set(SCORING_CSV_FIELDS.filter((f) => FIELD_RULES[f].kind === 'number'));

/** Header check; returns each schema field's cell index and the cells per row. */
export function scoringColumns(file: string, headerLine: string): { index: number[]; cellCount: number } {
  const header = parseCsvLine(headerLine.replace(/^\uFEFF/, ''));
  if (!header) throw new Error(`${file}: line 1: header has an unbalanced quote`);
  const names = header.map((h) => h.trim());
  const missing = SCORING_CSV_FIELDS.filter((f) => !names.includes(f));
  if (missing.length > 0) {
    throw new Error(
      `${file}: line 1: header is missing column(s) ${missing.join(', ')}; expected the original schema ${TRANSACTION_FIELDS.join(',')} (is_fraud optional)`,
    );
  }
  return { index: SCORING_CSV_FIELDS.map((f) => names.indexOf(f)), cellCount: names.length };
}

/**
 * Parses and validates one data line. Returns the input, or the row's problems (cells that are
 * not numbers stay text so the error shows what was sent).
 */
export function parseScoringLine(
  line: string,
  lineNo: number,
  index: readonly number[],
  cellCount: number,
): { ok: true; value: ScoringInput } | { ok: false; errors: ScoringRowError[] } {
  const cells = parseCsvLine(line);
  const shape = rowShapeError(line, lineNo, cells, cellCount);
  if (shape || !cells) return { ok: false, errors: shape ? [shape] : [] };
  const raw: Record<string, unknown> = {};
  for (let k = 0; k < SCORING_CSV_FIELDS.length; k++) {
    const field = SCORING_CSV_FIELDS[k];
    const cell = cells[index[k]];
    if (cell === '') continue; // missing: optional numbers are imputed, categories go to unknown
    raw[field] = NUMERIC_FIELD.has(field) && NUMBER_RE.test(cell) ? Number(cell) : cell;
  }
  const r = validateScoringInput(raw);
  if (r.ok) return r;
  return {
    ok: false,
    errors: r.errors.map((e) => ({ line: lineNo, field: e.field, value: e.value, rule: e.rule })),
  };
}
