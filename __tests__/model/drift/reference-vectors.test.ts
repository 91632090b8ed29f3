/**
 * The drift statistics against the reference vectors computed with scipy 1.10 / numpy 1.24
 * (__tests__/fixtures/drift-vectors, a vendored copy of ../shared/drift-vectors). A match is a
 * statistic within 1e-9 and a p-value within 1e-6 relative (or 1e-12 absolute), as the
 * vectors' README defines it. Cases whose samples cannot be rebuilt (numpy's generator) check
 * the p-value function on the stored statistic and sizes, which is all a p-value depends on.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chi2Contingency } from '../../../model/drift/chi2';
import { ks2samp, ksPValue, type KsAlternative, type KsMethod } from '../../../model/drift/ks';
import { binCounts, psiFromCounts, quantileEdges } from '../../../model/drift/psi';
import { sortedCopy } from '../../../model/drift/sort_impl';
import { portableSample, xorshift32, type PortableGen } from './portable-rng';

const FIXTURE = path.join(__dirname, '../../fixtures/drift-vectors/reference.json');

interface KsExpect {
  statistic: number;
  pvalue: number;
  statistic_location: number;
  statistic_sign: 1 | -1;
  resolved_method?: 'exact' | 'asymp';
}
interface KsCase {
  id: string;
  alternative: KsAlternative;
  n1: number;
  n2: number;
  x?: number[];
  y?: number[];
  x_gen: PortableGen | { source: 'numpy' };
  y_gen: PortableGen | { source: 'numpy' };
  x_summary: { n: number; min: number; max: number; sum: number };
  auto: KsExpect;
  exact?: KsExpect;
  asymp?: KsExpect;
}
interface PsiCase {
  id: string;
  baseline?: number[];
  current?: number[];
  baseline_gen: PortableGen | { source: 'numpy' };
  current_gen: PortableGen | { source: 'numpy' };
  edges: number[];
  baseline_counts: number[];
  current_counts: number[];
  psi: number;
}
interface Chi2Case {
  id: string;
  table: number[][];
  correction: boolean;
  chi2: number;
  pvalue: number;
  dof: number;
  expected: number[][];
}
const ref = JSON.parse(fs.readFileSync(FIXTURE, 'utf8')) as {
  portable_rng: { test_vector: { seed: number; first_5: number[] } };
  ks_cases: KsCase[];
  psi_cases: PsiCase[];
  chi2_cases: Chi2Case[];
};

function expectP(actual: number, expected: number): void {
  const ok = Math.abs(actual - expected) <= 1e-12 || Math.abs(actual - expected) <= 1e-6 * Math.abs(expected);
  if (!ok) throw new Error(`p-value ${actual} does not match ${expected}`);
}

function sampleOf(
  stored: number[] | undefined,
  gen: PortableGen | { source: 'numpy' },
): Float64Array | undefined {
  if (stored) return Float64Array.from(stored);
  return gen.source === 'portable' ? portableSample(gen) : undefined;
}

const METHODS: KsMethod[] = ['auto', 'exact', 'asymp'];

test('the portable generator reproduces its test vector', () => {
  const { seed, first_5 } = ref.portable_rng.test_vector;
  const next = xorshift32(seed);
  expect(Array.from({ length: 5 }, next)).toEqual(first_5);
});

describe('ks2samp matches scipy 1.10 ks_2samp', () => {
  for (const c of ref.ks_cases) {
    const x = sampleOf(c.x, c.x_gen);
    const y = sampleOf(c.y, c.y_gen);
    for (const method of METHODS) {
      const want = c[method];
      if (!want) continue;
      if (x && y) {
        test(`${c.id} (${method}) on the samples`, () => {
          expect(x.length).toBe(c.n1);
          if (c.x_gen.source === 'portable')
            expect(x.reduce((s, v) => s + v, 0)).toBeCloseTo(c.x_summary.sum, 6);
          const r = ks2samp(x, y, { alternative: c.alternative, method });
          expect(Math.abs(r.statistic - want.statistic)).toBeLessThanOrEqual(1e-9);
          expectP(r.pValue, want.pvalue);
          expect(r.statisticLocation).toBe(want.statistic_location);
          expect(r.statisticSign).toBe(want.statistic_sign);
          if (want.resolved_method) expect(r.method).toBe(want.resolved_method);
        });
      } else {
        test(`${c.id} (${method}) p-value from the stored statistic`, () => {
          const r = ksPValue(want.statistic, c.n1, c.n2, c.alternative, method);
          expect(Math.abs(r.statistic - want.statistic)).toBeLessThanOrEqual(1e-9);
          expectP(r.pValue, want.pvalue);
          if (want.resolved_method) expect(r.method).toBe(want.resolved_method);
        });
      }
    }
  }
});

describe('PSI on the baseline deciles matches the reference', () => {
  for (const c of ref.psi_cases) {
    test(c.id, () => {
      const baseline = sampleOf(c.baseline, c.baseline_gen) as Float64Array;
      const current = sampleOf(c.current, c.current_gen) as Float64Array;
      const edges = quantileEdges(sortedCopy(baseline), 10);
      expect(edges.length).toBe(c.edges.length);
      edges.forEach((e, i) =>
        expect(Math.abs(e - c.edges[i])).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(e))),
      );
      expect(Array.from(binCounts(baseline, c.edges))).toEqual(c.baseline_counts);
      expect(Array.from(binCounts(current, c.edges))).toEqual(c.current_counts);
      expect(Math.abs(psiFromCounts(c.baseline_counts, c.current_counts) - c.psi)).toBeLessThanOrEqual(1e-9);
    });
  }
});

describe('chi-square contingency matches scipy 1.10 chi2_contingency', () => {
  for (const c of ref.chi2_cases) {
    test(c.id, () => {
      const r = chi2Contingency(c.table, c.correction);
      expect(r.dof).toBe(c.dof);
      expect(Math.abs(r.statistic - c.chi2)).toBeLessThanOrEqual(1e-9 * Math.max(1, c.chi2));
      expectP(r.pValue, c.pvalue);
      r.expected.forEach((row, i) => row.forEach((e, j) => expect(e).toBeCloseTo(c.expected[i][j], 9)));
    });
  }
});

test('the vendored vectors are byte-identical to the shared copy when it exists', () => {
  const shared = path.resolve(__dirname, '../../../../shared/drift-vectors/reference.json');
  if (!fs.existsSync(shared)) return; // a plain clone has only the vendored copy
  expect(fs.readFileSync(FIXTURE).equals(fs.readFileSync(shared))).toBe(true);
});
