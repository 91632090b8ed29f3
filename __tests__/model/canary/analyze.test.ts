/**
 * Canary verdicts and next edits on hand-built deployment windows (the statistics are checked
 * against scipy values where they are not plain arithmetic).
 */
import {
  analyzeCanaries,
  canaryRoles,
  nextEdit,
  type DeploymentWindow,
  type RolloutState,
} from '../../../model/canary/analyze';
import { normalSf, quantile, twoProportionTest } from '../../../model/canary/stats';
import { canaryThresholdProblems, resolveCanaryThresholds } from '../../../model/canary/thresholds';
import { Rng } from '../../../model/data/rng';

const window = { start: new Date('2026-01-01T00:00:00Z'), end: new Date('2026-01-01T01:00:00Z') };
const MODELS = { blue: { model: 'fraud:1' }, green: { model: 'fraud:2' } };

/** A deployment window with seeded latencies and scores. */
function win(
  deployment: string,
  opts: {
    requests?: number;
    errors?: number;
    latencyScale?: number;
    scoreShift?: number;
    seed?: number;
  } = {},
): DeploymentWindow {
  const rng = new Rng(opts.seed ?? 1);
  const n = opts.requests ?? 1000;
  const ok = n - (opts.errors ?? 0);
  const latencyMs = Float64Array.from({ length: ok }, () => (5 + rng.next() * 10) * (opts.latencyScale ?? 1));
  const scores = Float64Array.from({ length: ok }, () =>
    Math.min(1, rng.next() * 0.2 + (opts.scoreShift ?? 0)),
  );
  return { deployment, requests: n, errors: opts.errors ?? 0, latencyMs, scores };
}

function analyze(rollout: RolloutState, data: DeploymentWindow[], maxStep?: number) {
  return analyzeCanaries({
    environment: 'prod',
    rollout,
    data: new Map(data.map((d) => [d.deployment, d])),
    window,
    source: 'test',
    ...(maxStep !== undefined ? { maxStep } : {}),
  });
}

const live: RolloutState = { deployments: MODELS, traffic: { blue: 90, green: 10 } };

describe('statistics', () => {
  test('normal tail and the one-sided two-proportion test match scipy', () => {
    expect(normalSf(1.6448536269514722)).toBeCloseTo(0.05, 12);
    expect(normalSf(-1)).toBeCloseTo(0.8413447460685429, 12);
    expect(normalSf(3.5) / 0.00023262907903552502).toBeCloseTo(1, 9);
    const t = twoProportionTest(40, 600, 10, 5000);
    expect(t.z).toBeCloseTo(15.911225191263151, 9);
    expect(t.pValue / 2.648336435019203e-57).toBeCloseTo(1, 6);
    expect(twoProportionTest(0, 100, 0, 100).pValue).toBe(1);
  });
  test('quantile is numpy type 7', () => {
    expect(quantile([1, 2, 3, 4], 0.95)).toBeCloseTo(3.85, 12);
    expect(quantile([], 0.5)).toBeNaN();
  });
});

describe('verdicts', () => {
  test('GIVEN the same behaviour THEN promote by the maximum step, with the exact edit', () => {
    const a = analyze(live, [win('blue', { seed: 1 }), win('green', { seed: 2 })], 25);
    expect(a.exitCode).toBe(0);
    const [v] = a.verdicts;
    expect(v).toMatchObject({
      canary: 'green',
      stable: 'blue',
      verdict: 'promote',
      reason: 'every check passed',
    });
    expect(v.nextEdit.traffic).toEqual({ blue: 65, green: 35 });
    expect(v.nextEdit.diff).toEqual([
      'stacks/rollout.ts, ROLLOUT.prod:',
      '-    traffic: { blue: 90, green: 10 },',
      '+    traffic: { blue: 65, green: 35 },',
    ]);
  });

  test('GIVEN more server errors on the canary THEN roll back (exit 1), the edit returns its traffic', () => {
    const a = analyze(live, [
      win('blue', { requests: 5000, errors: 10 }),
      win('green', { requests: 600, errors: 40, seed: 2 }),
    ]);
    expect(a.exitCode).toBe(1);
    const [v] = a.verdicts;
    expect(v.verdict).toBe('rollback');
    expect(v.reason).toMatch(/error rate 6\.67 % vs 0\.20 %/);
    expect(v.evidence.find((e) => e.check === 'error-rate')?.values.pValue).toBeLessThan(1e-50);
    expect(v.nextEdit.traffic).toEqual({ blue: 100, green: 0 });
  });

  test('GIVEN a slower canary THEN hold between the ratios and roll back above the maximum', () => {
    const hold = analyze(live, [win('blue'), win('green', { latencyScale: 1.3, seed: 2 })]).verdicts[0];
    expect(hold.verdict).toBe('hold');
    expect(hold.reason).toMatch(/p95 latency .* \(ratio 1\.[23]\d/);
    expect(hold.nextEdit).toMatchObject({ changed: false, diff: [] });
    const back = analyze(live, [win('blue'), win('green', { latencyScale: 2, seed: 2 })]).verdicts[0];
    expect(back.verdict).toBe('rollback');
  });

  test('GIVEN shifted scores THEN hold for a moderate shift and roll back for a large one', () => {
    expect(
      analyze(live, [win('blue'), win('green', { scoreShift: 0.03, seed: 2 })]).verdicts[0].verdict,
    ).toBe('hold');
    const v = analyze(live, [win('blue'), win('green', { scoreShift: 0.1, seed: 2 })]).verdicts[0];
    expect(v.verdict).toBe('rollback');
    expect(v.reason).toMatch(/score distribution KS D = 0\.\d+/);
  });

  test('GIVEN too few requests THEN hold with "not enough data", whatever the other checks say', () => {
    const v = analyze(live, [win('blue'), win('green', { requests: 50, seed: 2 })]).verdicts[0];
    expect(v.verdict).toBe('hold');
    expect(v.reason).toMatch(/^not enough data: green 50 vs blue 1000 requests \(minimum 200 each\)/);
    const none = analyze(live, [win('blue')]).verdicts[0];
    expect(none.reason).toMatch(/not enough data: green 0 vs blue/);
  });

  test('a mirrored canary is analysed; promoting it gives it live traffic and stops the mirror', () => {
    const mirrored: RolloutState = {
      deployments: MODELS,
      traffic: { blue: 100, green: 0 },
      mirror: { green: 20 },
    };
    expect(canaryRoles(mirrored)).toEqual({ stable: 'blue', canaries: ['green'] });
    const v = analyze(mirrored, [win('blue'), win('green', { seed: 2 })], 25).verdicts[0];
    expect(v).toMatchObject({ verdict: 'promote', traffic: 0, mirror: 20 });
    expect(v.nextEdit.traffic).toEqual({ blue: 75, green: 25 });
    expect(v.nextEdit.mirror).toBeUndefined();
    expect(v.nextEdit.diff).toEqual([
      'stacks/rollout.ts, ROLLOUT.prod:',
      '-    traffic: { blue: 100, green: 0 },',
      '-    mirror: { green: 20 },',
      '+    traffic: { blue: 75, green: 25 },',
    ]);
  });

  test('the last step drains the stable deployment; without a step limit promotion is complete', () => {
    const last = nextEdit(
      'prod',
      { deployments: MODELS, traffic: { blue: 15, green: 85 } },
      'green',
      'blue',
      'promote',
      25,
    );
    expect(last.traffic).toEqual({ blue: 0, green: 100 });
    expect(last.summary).toMatch(/blue is drained and can be retired/);
    expect(nextEdit('dev', live, 'green', 'blue', 'promote').traffic).toEqual({ blue: 0, green: 100 });
  });

  test('no canary: no verdict, exit 0', () => {
    const a = analyze({ deployments: MODELS, traffic: { blue: 100, green: 0 } }, [win('blue')]);
    expect(a).toMatchObject({ stable: 'blue', verdicts: [], exitCode: 0 });
  });
});

describe('thresholds', () => {
  test('defaults, overrides and one message per bad setting', () => {
    expect(resolveCanaryThresholds({ minRequests: 50 }).minRequests).toBe(50);
    expect(resolveCanaryThresholds(undefined).maxErrorRate).toBe(0.05);
    expect(
      canaryThresholdProblems('prod.canary', {
        minRequests: 0,
        maxLatencyRatio: 1.1,
        scorePValue: 2,
        typo: 1,
      } as never),
    ).toEqual([
      'prod.canary.typo: unknown setting; use one of minRequests, errorRatePValue, minErrorRateIncrease, maxErrorRate, holdLatencyRatio, maxLatencyRatio, scorePValue, holdScoreShift, maxScoreShift',
      'prod.canary.minRequests = 0: must be an integer >= 1',
      'prod.canary.scorePValue = 2: must be a number in (0, 1)',
      'prod.canary.maxLatencyRatio = 1.1: must be >= holdLatencyRatio (1.2)',
    ]);
    expect(() => resolveCanaryThresholds({ holdScoreShift: 0.5, maxScoreShift: 0.2 })).toThrow(
      /maxScoreShift = 0.2: must be >= holdScoreShift \(0.5\)/,
    );
  });
});
