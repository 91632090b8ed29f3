import {
  TRANSACTION_FIELDS,
  validateScoringInput,
  validateTransaction,
  formatFieldErrors,
} from '../../model/schema';
import { generateTransactions } from '../../model/data/generate';

const valid = {
  transaction_id: 't1',
  customer_id: 'C1',
  amount: 12.5,
  currency: 'CAD',
  merchant_category: 'retail',
  ip_geo_country: 'CA',
  hour_of_day: 3,
  day_of_week: 6,
  customer_tenure_days: 10,
  avg_monthly_spend: 200,
  num_prev_tx_24h: 2,
};

describe('validateScoringInput', () => {
  test('accepts a full request and ignores unknown fields', () => {
    const r = validateScoringInput({ ...valid, is_fraud: 1, extra: 'x' });
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.value).toEqual(valid);
      expect('extra' in r.value).toBe(false);
    }
  });

  test('only amount is required; null counts as missing', () => {
    expect(validateScoringInput({ amount: 1, hour_of_day: null }).ok).toBe(true);
    const r = validateScoringInput({ hour_of_day: 4 }, 'features');
    expect(r).toEqual({
      ok: false,
      errors: [expect.objectContaining({ field: 'features.amount', value: undefined })],
    });
  });

  test.each([
    ['amount', -1, /0\.\.10000000/],
    ['amount', Number.NaN, /finite number/],
    ['amount', Number.POSITIVE_INFINITY, /finite number/],
    ['amount', '12', /finite number/],
    ['amount', 1e8, /0\.\.10000000/],
    ['hour_of_day', 24, /integer in 0\.\.23/],
    ['hour_of_day', 1.5, /integer/],
    ['day_of_week', 7, /integer in 0\.\.6/],
    ['num_prev_tx_24h', -2, /integer in 0\.\./],
    ['customer_tenure_days', 3.3, /integer/],
    ['merchant_category', 7, /string/],
    ['merchant_category', '', /non-empty string/],
    ['currency', 'x'.repeat(65), /at most 64/],
    ['customer_id', 'c'.repeat(129), /at most 128/],
    ['transaction_ts', 'not a time', /ISO-8601/],
  ])('rejects %s = %p naming field, value and rule', (field, value, rule) => {
    const r = validateScoringInput({ ...valid, [field]: value }, 'instances[2]');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors).toHaveLength(1);
      expect(r.errors[0].field).toBe(`instances[2].${field}`);
      expect(r.errors[0].value).toBe(value);
      expect(r.errors[0].rule).toMatch(rule);
    }
  });

  test('reports every bad field at once; non-objects are rejected', () => {
    const r = validateScoringInput({ amount: -1, hour_of_day: 99, day_of_week: 'mon' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors.map((e) => e.field)).toEqual(['amount', 'hour_of_day', 'day_of_week']);
      expect(formatFieldErrors(r.errors)).toMatch(/hour_of_day: must be an integer in 0\.\.23 \(got 99\)/);
    }
    for (const raw of [null, [], 'x', 3]) expect(validateScoringInput(raw).ok).toBe(false);
  });
});

describe('validateTransaction', () => {
  test('generated rows are valid and have the original header fields', () => {
    const { rows } = generateTransactions({ rows: 200, seed: 1 });
    for (const tx of rows) expect(validateTransaction(tx).ok).toBe(true);
    expect(Object.keys(rows[0])).toEqual([...TRANSACTION_FIELDS]);
  });

  test('requires every field and a 0/1 label', () => {
    const { rows } = generateTransactions({ rows: 1, seed: 1 });
    const { merchant_id: _m, ...noMerchant } = rows[0];
    const r = validateTransaction({ ...noMerchant, is_fraud: 2 });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors.map((e) => e.field)).toEqual(['merchant_id', 'is_fraud']);
      expect(r.errors[0].rule).toMatch(/is required/);
    }
  });
});
