import fc from 'fast-check';
import {
  environmentRolloutProblems,
  fullMirrorMap,
  fullTrafficMap,
  MANAGED_ONLINE_ENDPOINT_SKUS,
  modelRefOf,
  parseModelRef,
  rolloutProblems,
  validateRollout,
  type EnvironmentRollout,
} from '../../../constructs/serving/rollout-validation';
import { validEnvRollout } from '../../helpers/rollout-arbitraries';

const SEED = { seed: 20261127, numRuns: 300 };
const blueGreen = (
  traffic: Record<string, number>,
  extra: Partial<EnvironmentRollout> = {},
): EnvironmentRollout => ({
  deployments: {
    blue: { model: 'fraud-detector:1', instanceType: 'Standard_DS3_v2', instanceCount: 2 },
    green: { model: 'fraud-detector:2', instanceType: 'Standard_DS3_v2', instanceCount: 1 },
  },
  traffic,
  ...extra,
});

describe('validateRollout', () => {
  it('accepts a canary split, a drained deployment and a mirror to an idle deployment', () => {
    expect(environmentRolloutProblems('prod', blueGreen({ blue: 90, green: 10 }))).toEqual([]);
    expect(environmentRolloutProblems('prod', blueGreen({ blue: 0, green: 100 }))).toEqual([]);
    expect(
      environmentRolloutProblems('prod', blueGreen({ blue: 100, green: 0 }, { mirror: { green: 50 } })),
    ).toEqual([]);
    expect(
      environmentRolloutProblems('dev', { ...blueGreen({ blue: 0, green: 0 }), notLiveYet: true }),
    ).toEqual([]);
  });

  it('allows a total of 0 only for an endpoint marked notLiveYet, and then requires it', () => {
    expect(environmentRolloutProblems('prod', blueGreen({ blue: 0, green: 0 }))).toEqual([
      'prod: traffic must sum to 100, got 0 (blue 0, green 0); a total of 0 takes the endpoint offline, allowed only for an endpoint marked notLiveYet: true',
    ]);
    expect(
      environmentRolloutProblems('prod', { ...blueGreen({ blue: 100, green: 0 }), notLiveYet: true }),
    ).toEqual([
      'prod: traffic sums to 100 (blue 100, green 0) but the endpoint is marked notLiveYet; remove notLiveYet in the change that gives it live traffic',
    ]);
    expect(
      environmentRolloutProblems('prod', { ...blueGreen({ blue: 0, green: 0 }), notLiveYet: false as never }),
    ).toContain('prod: notLiveYet must be true or left out, got false');
  });

  it('checks instanceType against the documented managed online endpoint SKU list', () => {
    const sized = (instanceType: unknown) =>
      environmentRolloutProblems('prod', {
        deployments: { blue: { model: 'm:1', instanceType: instanceType as string, instanceCount: 1 } },
        traffic: { blue: 100 },
      });
    for (const ok of ['Standard_DS3_v2', 'STANDARD_DS3_V2', 'Standard_F4s_v2', 'Standard_NC6s_v3']) {
      expect(sized(ok)).toEqual([]);
    }
    // Plausible typos that match the old `^Standard_...` pattern.
    for (const bad of ['Standard_D3S_v2', 'Standard_DS3_v3', 'Standard_DS3', 'Standard_B2s']) {
      expect(sized(bad)[0]).toMatch(
        new RegExp(`prod: deployment 'blue': instanceType "${bad}" is not a managed online endpoint VM size`),
      );
    }
    expect(sized('Standard_D3S_v2')[0]).toMatch(/similar: Standard_DS1_v2, Standard_DS2_v2, Standard_DS3_v2/);
    expect(sized(undefined)[0]).toMatch(/instanceType unset is not a managed online endpoint VM size/);
    expect(MANAGED_ONLINE_ENDPOINT_SKUS).toHaveLength(85);
  });

  it('throws ONE error listing every problem with environment, deployment and rule', () => {
    const bad = {
      dev: blueGreen({ blue: 90, green: 20 }),
      prod: {
        deployments: {
          Blue: { model: 'fraud-detector', instanceType: 'DS3', instanceCount: 0 },
          green: { model: 'fraud-detector:latest', instanceType: 'Standard_DS3_v2', instanceCount: 1.5 },
        },
        traffic: { Blue: 99.5, green: 0, ghost: 0.5 },
        mirror: { green: 60 },
      },
    };
    let message = '';
    try {
      validateRollout(bad);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^invalid rollout constants \(stacks\/rollout\.ts\), \d+ problem\(s\):/);
    const expected = [
      /dev: traffic must sum to 100, got 110 \(blue 90, green 20\)/,
      /prod: deployment 'Blue': name must start with a lowercase letter/,
      /prod: deployment 'Blue': model must be 'name:version' \(exactly one ':'\), got "fraud-detector"/,
      /prod: deployment 'Blue': instanceType "DS3" is not a managed online endpoint VM size/,
      /prod: deployment 'Blue': instanceCount must be an integer 1\.\.20, got 0/,
      /prod: deployment 'green': model .* must be pinned; 'latest' is not a version/,
      /prod: deployment 'green': instanceCount must be an integer 1\.\.20, got 1\.5/,
      /prod: deployment 'Blue': traffic must be an integer percent 0\.\.100, got 99\.5/,
      /prod: deployment 'ghost': traffic names an undeclared deployment \(declared: Blue, green\)/,
      /prod: deployment 'ghost': traffic must be an integer percent 0\.\.100, got 0\.5/,
      /prod: deployment 'green': mirror must be an integer percent 0\.\.50 .* got 60/,
    ];
    for (const re of expected) expect(message).toMatch(re);
  });

  it('rejects mirroring to two deployments, to a live deployment, or with no live traffic', () => {
    const three: EnvironmentRollout = {
      deployments: {
        ...blueGreen({}).deployments,
        red: { model: 'fraud-detector:3', instanceType: 'Standard_DS3_v2', instanceCount: 1 },
      },
      traffic: { blue: 100, green: 0, red: 0 },
      mirror: { green: 10, red: 10 },
    };
    expect(environmentRolloutProblems('staging', three)).toEqual([
      'staging: mirror may target at most one deployment, got 2 (green, red); set the others to 0',
    ]);
    expect(
      environmentRolloutProblems('prod', blueGreen({ blue: 90, green: 10 }, { mirror: { green: 10 } })),
    ).toEqual([
      "prod: deployment 'green': mirror must not target a deployment with live traffic (it has 10 %)",
    ]);
    expect(
      environmentRolloutProblems('dev', {
        ...blueGreen({ blue: 0, green: 0 }, { mirror: { green: 5 } }),
        notLiveYet: true,
      }),
    ).toEqual(["dev: deployment 'green': mirror needs live traffic to copy, but traffic sums to 0"]);
  });

  it('requires every declared deployment in traffic and at most 20 deployments', () => {
    expect(environmentRolloutProblems('dev', blueGreen({ blue: 100 }))).toEqual([
      "dev: deployment 'green': traffic must list every declared deployment (write green: 0 to drain it)",
    ]);
    const many = Object.fromEntries(
      Array.from({ length: 21 }, (_, i) => [
        `dep-${i}`,
        { model: 'm:1', instanceType: 'Standard_DS2_v2', instanceCount: 1 },
      ]),
    );
    const traffic = Object.fromEntries(Object.keys(many).map((n, i) => [n, i === 0 ? 100 : 0]));
    expect(environmentRolloutProblems('prod', { deployments: many, traffic })).toEqual([
      'prod: at most 20 deployments per endpoint (Azure limit), got 21',
    ]);
  });

  it('checks deployment names against the Azure rule', () => {
    const named = (name: string): string[] =>
      environmentRolloutProblems('dev', {
        deployments: { [name]: { model: 'm:1', instanceType: 'Standard_DS2_v2', instanceCount: 1 } },
        traffic: { [name]: 100 },
      });
    expect(named('blue-2')).toEqual([]);
    expect(named('ab')).toEqual(["dev: deployment 'ab': name must be 3..32 characters, got 2"]);
    expect(named('x'.repeat(33))[0]).toMatch(/must be 3\.\.32 characters, got 33/);
    for (const bad of ['1blue', 'blue-', 'blue--green', 'blue_green', 'Green']) {
      expect(named(bad)[0]).toMatch(
        new RegExp(`deployment '${bad}': name must start with a lowercase letter`),
      );
    }
  });

  it('reports the unknown and missing environments when the expected list is given', () => {
    expect(
      rolloutProblems({ dev: blueGreen({ blue: 100, green: 0 }), qa: blueGreen({ blue: 100, green: 0 }) }, [
        'dev',
        'prod',
      ]),
    ).toEqual([
      'prod: missing from ROLLOUT; every environment needs an entry (its deployments and traffic)',
      'qa: unknown environment (known: dev, prod)',
    ]);
  });

  it('parses model references into a result, no cast needed', () => {
    expect(parseModelRef('fraud-detector:3')).toEqual({
      ok: true,
      value: { name: 'fraud-detector', version: '3' },
    });
    const problem = (ref: unknown): string => {
      const r = parseModelRef(ref);
      return r.ok ? '' : r.problem;
    };
    expect(problem('a:b:c')).toMatch(/exactly one ':'/);
    expect(problem(':3')).toMatch(/^name "" in ":3"/);
    expect(problem('fraud:')).toMatch(/^version "" in "fraud:"/);
    expect(problem(3)).toMatch(/must be a 'name:version' string, got 3/);
    expect(modelRefOf('m:2')).toEqual({ name: 'm', version: '2' });
    expect(() => modelRefOf('m:latest')).toThrow(/model version in "m:latest" must be pinned/);
  });

  it('says "model version" once, not "model model version"', () => {
    const problems = environmentRolloutProblems('prod', {
      deployments: { blue: { model: 'm:1 2', instanceType: 'Standard_DS3_v2', instanceCount: 1 } },
      traffic: { blue: 100 },
    });
    expect(problems).toEqual([
      `prod: deployment 'blue': model version "1 2" in "m:1 2" must match ^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}$`,
    ]);
    expect(problems.join()).not.toMatch(/model model/);
  });

  it('builds the full traffic and mirror maps with drained deployments as 0', () => {
    const r = blueGreen({ blue: 100, green: 0 }, { mirror: { green: 20 } });
    expect(fullTrafficMap(r)).toEqual({ blue: 100, green: 0 });
    expect(fullMirrorMap(r)).toEqual({ blue: 0, green: 20 });
  });
});

describe('validateRollout properties', () => {
  it('accepts every generated valid rollout', () => {
    fc.assert(
      fc.property(validEnvRollout, (r) => {
        expect(environmentRolloutProblems('prod', r)).toEqual([]);
      }),
      SEED,
    );
  });

  type Mutation = {
    rule: RegExp;
    apply: (r: EnvironmentRollout, pick: number, amount: number) => EnvironmentRollout;
  };
  const nameAt = (r: EnvironmentRollout, pick: number): string => {
    const names = Object.keys(r.deployments);
    return names[pick % names.length] as string;
  };
  const MUTATIONS: Mutation[] = [
    {
      rule: /traffic must sum to 100|traffic sums to \d+ .* but the endpoint is marked notLiveYet/,
      apply: (r, pick, amount) => {
        const n = nameAt(r, pick);
        const total = Object.values(r.traffic).reduce((a, b) => a + b, 0);
        // Pick a new value for one entry that keeps it within 0..100 but moves the total off 0/100.
        const others = total - (r.traffic[n] ?? 0);
        const candidates = Array.from({ length: 101 }, (_, v) => v).filter(
          (v) => others + v !== 0 && others + v !== 100,
        );
        return { ...r, traffic: { ...r.traffic, [n]: candidates[amount % candidates.length] as number } };
      },
    },
    {
      rule: /traffic must be an integer percent 0\.\.100/,
      apply: (r, pick, amount) => ({
        ...r,
        traffic: {
          ...r.traffic,
          [nameAt(r, pick)]: [-1 - amount, 101 + amount, amount + 0.5][pick % 3] as number,
        },
      }),
    },
    {
      rule: /deployment 'ghost-\d+': traffic names an undeclared deployment/,
      apply: (r, _pick, amount) => ({ ...r, traffic: { ...r.traffic, [`ghost-${amount}`]: 0 } }),
    },
    {
      rule: /mirror must be an integer percent 0\.\.50/,
      apply: (r, pick, amount) => ({ ...r, mirror: { [nameAt(r, pick)]: 51 + (amount % 50) } }),
    },
    {
      rule: /mirror names an undeclared deployment/,
      apply: (r, _pick, amount) => ({ ...r, mirror: { [`ghost-${amount}`]: 1 + (amount % 50) } }),
    },
    {
      rule: /mirror must not target a deployment with live traffic|mirror needs live traffic to copy/,
      apply: (r, _pick, amount) => {
        const live = Object.keys(r.traffic).find((n) => (r.traffic[n] ?? 0) > 0) ?? nameAt(r, 0);
        return { ...r, mirror: { [live]: 1 + (amount % 50) } };
      },
    },
    {
      rule: /: model (must be 'name:version'|name|version)/,
      apply: (r, pick, amount) => {
        const n = nameAt(r, pick);
        const model = ['fraud', 'fraud:1:2', ':1', 'fraud:', 'fraud:latest', 'fr aud:1'][
          amount % 6
        ] as string;
        return {
          ...r,
          deployments: { ...r.deployments, [n]: { ...(r.deployments[n] as object), model } as never },
        };
      },
    },
    {
      rule: /deployment '[^']*': name must/,
      apply: (r, pick, amount) => {
        const n = nameAt(r, pick);
        const bad = ['B', 'Blue', '9lives', 'no_underscore', 'trailing-', 'x'.repeat(33)][
          amount % 6
        ] as string;
        const { [n]: spec, ...rest } = r.deployments;
        const { [n]: share, ...restTraffic } = r.traffic;
        return {
          ...r,
          mirror: undefined,
          deployments: { ...rest, [bad]: spec as never },
          traffic: { ...restTraffic, [bad]: share ?? 0 },
        };
      },
    },
  ];

  it('rejects every generated invalid rollout, naming the environment and the rule', () => {
    fc.assert(
      fc.property(
        validEnvRollout,
        fc.integer({ min: 0, max: MUTATIONS.length - 1 }),
        fc.nat(),
        fc.nat(),
        (r, which, pick, amount) => {
          const mutation = MUTATIONS[which] as Mutation;
          const problems = environmentRolloutProblems('staging', mutation.apply(r, pick, amount));
          expect(problems.length).toBeGreaterThan(0);
          expect(problems.every((p) => p.startsWith('staging: '))).toBe(true);
          expect(problems.some((p) => mutation.rule.test(p))).toBe(true);
          expect(() => validateRollout({ staging: mutation.apply(r, pick, amount) })).toThrow(mutation.rule);
        },
      ),
      SEED,
    );
  });
});
