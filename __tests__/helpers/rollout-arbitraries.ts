/** fast-check generators of valid rollout constants, shared by the rollout property tests. */
import fc from 'fast-check';
import type { DeploymentSpec, EnvironmentRollout } from '../../constructs/serving/rollout-validation';

const NAMES = ['blue', 'green', 'canary', 'shadow-1', 'fraud-v2', 'red', 'a12', 'prod-east'] as const;

/** A split of 100 into `n` non-negative integers (or all zeros when `live` is false). */
export function splitOf(n: number): fc.Arbitrary<number[]> {
  return fc
    .oneof(
      {
        weight: 5,
        arbitrary: fc.array(fc.integer({ min: 0, max: 100 }), { minLength: n - 1, maxLength: n - 1 }),
      },
      { weight: 1, arbitrary: fc.constant<number[] | null>(null) },
    )
    .map((cuts) => {
      if (cuts === null) return new Array<number>(n).fill(0);
      const points = [0, ...[...cuts].sort((a, b) => a - b), 100];
      return points.slice(1).map((p, i) => p - (points[i] as number));
    });
}

const spec: fc.Arbitrary<DeploymentSpec> = fc.record({
  model: fc
    .tuple(fc.constantFrom('fraud-detector', 'fraud_xgb', 'm1'), fc.constantFrom('1', '12', '1.2.0', 'v3'))
    .map(([n, v]) => `${n}:${v}`),
  instanceType: fc.constantFrom('Standard_DS2_v2', 'Standard_DS3_v2', 'Standard_F4s_v2'),
  instanceCount: fc.integer({ min: 1, max: 20 }),
});

/** A valid environment rollout: 1..5 deployments, traffic 100 (or 0 and notLiveYet), maybe a legal mirror. */
export const validEnvRollout: fc.Arbitrary<EnvironmentRollout> = fc
  .uniqueArray(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 5 })
  .chain((names) =>
    fc.tuple(
      fc.constant(names),
      fc.array(spec, { minLength: names.length, maxLength: names.length }),
      splitOf(names.length),
      fc.integer({ min: 0, max: 50 }),
      fc.boolean(),
    ),
  )
  .map(([names, specs, split, mirrorPct, withMirror]) => {
    const deployments = Object.fromEntries(names.map((n, i) => [n, specs[i] as DeploymentSpec]));
    const traffic = Object.fromEntries(names.map((n, i) => [n, split[i] as number]));
    const total = split.reduce((a, b) => a + b, 0);
    const idle = names.find((n) => traffic[n] === 0);
    const mirror = withMirror && total === 100 && idle !== undefined ? { [idle]: mirrorPct } : undefined;
    // A total of 0 is valid only for an endpoint marked as not live yet.
    const live = total === 100 ? {} : { notLiveYet: true as const };
    return mirror ? { ...live, deployments, traffic, mirror } : { ...live, deployments, traffic };
  });
