/**
 * The transaction data contract (DESIGN.md "Data contract") and its runtime validation.
 *
 * One rule table drives both the scoring API (`validateScoringInput`, used by the service for
 * every request) and the CSV reader (`validateTransaction`, after cells are parsed to numbers),
 * so a value the service rejects is also rejected in training data, with the same message.
 */
import { formatValue, isRecord } from '../util/values';

/** One problem with one input field: which field, what was received, which rule it broke. */
export interface FieldError {
  /** Field path, e.g. `amount`, `features.amount` or `instances[3].hour_of_day`. */
  field: string;
  value: unknown;
  /** Human-readable rule, e.g. `must be an integer in 0..23`. */
  rule: string;
}

/** A full transaction in the original CSV schema (training data). */
export interface Transaction {
  transaction_id: string;
  /** ISO-8601 timestamp as written by the original generator (not a model feature). */
  transaction_ts: string;
  customer_id: string;
  merchant_id: string;
  amount: number;
  currency: string;
  merchant_category: string;
  device_fingerprint: string;
  ip_geo_country: string;
  hour_of_day: number;
  day_of_week: number;
  customer_tenure_days: number;
  avg_monthly_spend: number;
  num_prev_tx_24h: number;
  /** The label; present in training data, absent in scoring requests. */
  is_fraud?: 0 | 1;
}

/** CSV column order: exactly the original's header. */
export const TRANSACTION_FIELDS = [
  'transaction_id',
  'transaction_ts',
  'customer_id',
  'merchant_id',
  'amount',
  'currency',
  'merchant_category',
  'device_fingerprint',
  'ip_geo_country',
  'hour_of_day',
  'day_of_week',
  'customer_tenure_days',
  'avg_monthly_spend',
  'num_prev_tx_24h',
  'is_fraud',
] as const satisfies readonly (keyof Transaction)[];

export type TransactionField = (typeof TRANSACTION_FIELDS)[number];

/** Identifiers: accepted, never model features, never logged in clear. */
export const IDENTIFIER_FIELDS = [
  'transaction_id',
  'customer_id',
  'merchant_id',
  'device_fingerprint',
] as const;
export type IdentifierField = (typeof IDENTIFIER_FIELDS)[number];

/**
 * What a client may send for scoring: every non-label field. Only `amount` is required;
 * missing optional numbers are imputed with training medians and missing categories fall
 * into the unknown bucket (see model/features). Identifiers and the timestamp are accepted
 * but never used as features.
 */
export interface ScoringInput {
  transaction_id?: string;
  transaction_ts?: string;
  customer_id?: string;
  merchant_id?: string;
  device_fingerprint?: string;
  amount: number;
  currency?: string;
  merchant_category?: string;
  ip_geo_country?: string;
  hour_of_day?: number;
  day_of_week?: number;
  customer_tenure_days?: number;
  avg_monthly_spend?: number;
  num_prev_tx_24h?: number;
}

/** Upper bound for money fields: far above any card transaction, below float32 trouble. */
export const MAX_AMOUNT = 10_000_000;
/** Bounds for string fields (characters). */
export const MAX_ID_LENGTH = 128;
export const MAX_CATEGORY_LENGTH = 64;
export const MAX_TIMESTAMP_LENGTH = 64;

type NumberRule = { kind: 'number'; min: number; max: number; integer: boolean };
type StringRule = { kind: 'string'; maxLength: number; timestamp?: boolean };
type Rule = NumberRule | StringRule;

/** The rule for each non-label field. Exported so docs and tests can enumerate it. */
export const FIELD_RULES: Readonly<Record<Exclude<TransactionField, 'is_fraud'>, Rule>> = {
  transaction_id: { kind: 'string', maxLength: MAX_ID_LENGTH },
  transaction_ts: { kind: 'string', maxLength: MAX_TIMESTAMP_LENGTH, timestamp: true },
  customer_id: { kind: 'string', maxLength: MAX_ID_LENGTH },
  merchant_id: { kind: 'string', maxLength: MAX_ID_LENGTH },
  amount: { kind: 'number', min: 0, max: MAX_AMOUNT, integer: false },
  currency: { kind: 'string', maxLength: MAX_CATEGORY_LENGTH },
  merchant_category: { kind: 'string', maxLength: MAX_CATEGORY_LENGTH },
  device_fingerprint: { kind: 'string', maxLength: MAX_ID_LENGTH },
  ip_geo_country: { kind: 'string', maxLength: MAX_CATEGORY_LENGTH },
  hour_of_day: { kind: 'number', min: 0, max: 23, integer: true },
  day_of_week: { kind: 'number', min: 0, max: 6, integer: true },
  customer_tenure_days: { kind: 'number', min: 0, max: 100_000, integer: true },
  avg_monthly_spend: { kind: 'number', min: 0, max: MAX_AMOUNT, integer: false },
  num_prev_tx_24h: { kind: 'number', min: 0, max: 100_000, integer: true },
};

const SCORING_REQUIRED: ReadonlySet<string> = new Set(['amount']);

function describe(rule: Rule): string {
  if (rule.kind === 'string') {
    return rule.timestamp
      ? `must be an ISO-8601 timestamp string of at most ${rule.maxLength} characters`
      : `must be a non-empty string of at most ${rule.maxLength} characters`;
  }
  const what = rule.integer ? 'an integer' : 'a finite number';
  return `must be ${what} in ${rule.min}..${rule.max}`;
}

/** Checks one value against its rule; returns the violated rule text or undefined. */
export function checkField(field: Exclude<TransactionField, 'is_fraud'>, value: unknown): string | undefined {
  const rule = FIELD_RULES[field];
  if (rule.kind === 'string') {
    if (typeof value !== 'string' || value.length === 0 || value.length > rule.maxLength)
      return describe(rule);
    if (rule.timestamp && Number.isNaN(Date.parse(value))) return describe(rule);
    return undefined;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) return describe(rule);
  if (rule.integer && !Number.isInteger(value)) return describe(rule);
  if (value < rule.min || value > rule.max) return describe(rule);
  return undefined;
}

function joinPath(prefix: string | undefined, field: string): string {
  return prefix ? `${prefix}.${field}` : field;
}

const SCORING_FIELDS = TRANSACTION_FIELDS.filter(
  (f): f is Exclude<TransactionField, 'is_fraud'> => f !== 'is_fraud',
);

/**
 * The scoring fields with their rule and rule texts resolved once: `validateScoringInput` runs
 * for every row of every request, so it avoids per-field table lookups and string building on
 * the valid path. The checks are exactly `checkField`'s (see `violates`).
 */
interface ScoringCheck {
  readonly field: Exclude<TransactionField, 'is_fraud'>;
  readonly rule: Rule;
  readonly text: string;
  /** Set for required fields: the text when the field is missing. */
  readonly missingText?: string;
}

const SCORING_CHECKS: readonly ScoringCheck[] = SCORING_FIELDS.map((field) => {
  const rule = FIELD_RULES[field];
  const text = describe(rule);
  return { field, rule, text, missingText: SCORING_REQUIRED.has(field) ? `is required; ${text}` : undefined };
});

/** `checkField(field, value) !== undefined`, without the rule lookup and the text. */
function violates(rule: Rule, value: unknown): boolean {
  if (rule.kind === 'string') {
    if (typeof value !== 'string' || value.length === 0 || value.length > rule.maxLength) return true;
    return rule.timestamp === true && Number.isNaN(Date.parse(value));
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) return true;
  if (rule.integer && !Number.isInteger(value)) return true;
  return value < rule.min || value > rule.max;
}

/**
 * Validates a scoring request body (one transaction). Unknown fields are ignored (clients may
 * send the label or extra metadata); `null` counts as missing for optional fields.
 * @param pathPrefix prepended to field names in errors, e.g. `features` or `instances[3]`.
 */
export function validateScoringInput(
  raw: unknown,
  pathPrefix?: string,
): { ok: true; value: ScoringInput } | { ok: false; errors: FieldError[] } {
  if (!isRecord(raw)) {
    return {
      ok: false,
      errors: [{ field: pathPrefix ?? '(root)', value: raw, rule: 'must be a JSON object' }],
    };
  }
  let errors: FieldError[] | undefined;
  let present = 0;
  for (let i = 0; i < SCORING_CHECKS.length; i += 1) {
    const check = SCORING_CHECKS[i];
    const v = raw[check.field];
    if (v === undefined || v === null) {
      if (check.missingText !== undefined) {
        (errors ??= []).push({ field: joinPath(pathPrefix, check.field), value: v, rule: check.missingText });
      }
      continue;
    }
    if (violates(check.rule, v)) {
      (errors ??= []).push({ field: joinPath(pathPrefix, check.field), value: v, rule: check.text });
    } else present += 1;
  }
  if (errors !== undefined) return { ok: false, errors };
  // Every field present (the common case for a full transaction): one object literal, with the
  // same keys in the same order as the general path below builds, is much cheaper than adding
  // fourteen properties one by one.
  if (present === SCORING_CHECKS.length) return { ok: true, value: fullScoringInput(raw) };
  const value: Record<string, unknown> = {};
  for (let i = 0; i < SCORING_CHECKS.length; i += 1) {
    const field = SCORING_CHECKS[i].field;
    const v = raw[field];
    if (v !== undefined && v !== null) value[field] = v;
  }
  return { ok: true, value: value as unknown as ScoringInput };
}

/** Keys in SCORING_FIELDS order (checked at load, below); only for rows whose fields all passed. */
function fullScoringInput(raw: Record<string, unknown>): ScoringInput {
  return {
    transaction_id: raw.transaction_id,
    transaction_ts: raw.transaction_ts,
    customer_id: raw.customer_id,
    merchant_id: raw.merchant_id,
    amount: raw.amount,
    currency: raw.currency,
    merchant_category: raw.merchant_category,
    device_fingerprint: raw.device_fingerprint,
    ip_geo_country: raw.ip_geo_country,
    hour_of_day: raw.hour_of_day,
    day_of_week: raw.day_of_week,
    customer_tenure_days: raw.customer_tenure_days,
    avg_monthly_spend: raw.avg_monthly_spend,
    num_prev_tx_24h: raw.num_prev_tx_24h,
  } as ScoringInput;
}
if (Object.keys(fullScoringInput({})).join() !== SCORING_FIELDS.join()) {
  throw new Error('model/schema: fullScoringInput must list the scoring fields in TRANSACTION_FIELDS order');
}

/**
 * Validates a full training transaction (every field required, label 0 or 1). Used by the CSV
 * reader after it has parsed numeric cells, and by `trainModelPackage` for in-memory rows.
 */
export function validateTransaction(
  raw: unknown,
  pathPrefix?: string,
): { ok: true; value: Transaction } | { ok: false; errors: FieldError[] } {
  if (!isRecord(raw)) {
    return { ok: false, errors: [{ field: pathPrefix ?? '(root)', value: raw, rule: 'must be an object' }] };
  }
  const errors: FieldError[] = [];
  for (const field of SCORING_FIELDS) {
    const v = raw[field];
    const broken = checkField(field, v);
    if (broken) {
      const missing = v === undefined || v === null || v === '';
      errors.push({
        field: joinPath(pathPrefix, field),
        value: v,
        rule: missing ? `is required; ${broken}` : broken,
      });
    }
  }
  const label = raw.is_fraud;
  if (label !== 0 && label !== 1) {
    errors.push({ field: joinPath(pathPrefix, 'is_fraud'), value: label, rule: 'must be 0 or 1' });
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: raw as unknown as Transaction };
}

/** Formats errors as one line each: `field: rule (got value)`. */
export function formatFieldErrors(errors: readonly FieldError[]): string {
  // Client-facing: long values are cut at 60 characters.
  return errors.map((e) => `${e.field}: ${e.rule} (got ${formatValue(e.value, 60)})`).join('; ');
}
