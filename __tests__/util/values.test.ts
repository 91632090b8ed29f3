import { asRecord, formatValue, isRecord } from '../../util/values';

describe('isRecord / asRecord', () => {
  test('only plain objects are records', () => {
    expect(isRecord({ a: 1 })).toBe(true);
    for (const v of [null, undefined, [], 'x', 3, true]) expect(isRecord(v)).toBe(false);
    expect(asRecord([1])).toEqual({});
    const r = { a: 1 };
    expect(asRecord(r)).toBe(r);
  });
});

describe('formatValue', () => {
  test('JSON, unset for undefined, String() for what JSON cannot show', () => {
    expect(formatValue('West Europe')).toBe('"West Europe"');
    expect(formatValue(3)).toBe('3');
    expect(formatValue({ primary: -1 })).toBe('{"primary":-1}');
    expect(formatValue(undefined)).toBe('unset');
    expect(formatValue(10n)).toBe('10');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(formatValue(cyclic)).toBe('[object Object]');
  });

  test('maxLength cuts long values and marks the cut', () => {
    expect(formatValue('x'.repeat(100), 10)).toBe(`"${'x'.repeat(9)}…`);
    expect(formatValue('short', 10)).toBe('"short"');
  });
});
