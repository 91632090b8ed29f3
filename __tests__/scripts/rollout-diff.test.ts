import fc from 'fast-check';
import { describeRollout, diffRollout } from '../../scripts/rollout-diff';
import { evaluateRolloutSource } from '../../scripts/rollout-load';
import { validEnvRollout } from '../helpers/rollout-arbitraries';

const spec = (model: string, instanceCount = 1) => ({
  model,
  instanceType: 'Standard_DS3_v2',
  instanceCount,
});
const env = (
  traffic: Record<string, number>,
  mirror?: Record<string, number>,
  models: Record<string, string> = {},
) => ({
  deployments: Object.fromEntries(
    Object.keys(traffic).map((n) => [n, spec(models[n] ?? 'fraud-detector:1')]),
  ),
  traffic,
  ...(mirror ? { mirror } : {}),
});
const GUARDS = { prod: { maxCanaryStep: 25 } };

describe('diffRollout', () => {
  it('prints one line per environment in the PR-preview format', () => {
    const base = { dev: env({ blue: 100 }), prod: env({ blue: 90, green: 10 }) };
    const head = { dev: env({ blue: 100 }), prod: env({ blue: 70, green: 30 }) };
    expect(diffRollout(base, head, GUARDS)).toEqual({
      lines: ['dev: unchanged (blue 100)', 'prod: blue 90 -> 70, green 10 -> 30'],
      problems: [],
    });
  });

  it('shows new and removed deployments, mirror and model changes', () => {
    const base = { staging: env({ blue: 100, old: 0 }, { old: 10 }) };
    const head = { staging: env({ blue: 100, green: 0 }, { green: 20 }, { blue: 'fraud-detector:2' }) };
    const { lines } = diffRollout(base, head, {});
    expect(lines).toEqual([
      'staging: old 0 -> (removed), green (new) -> 0, mirror old 10 -> 0, mirror green 0 -> 20, blue model fraud-detector:1 -> fraud-detector:2',
    ]);
  });

  it('refuses to remove a deployment that still had live or mirrored traffic in the base', () => {
    const base = { prod: env({ blue: 90, green: 10 }), dev: env({ blue: 100, green: 0 }, { green: 5 }) };
    const head = { prod: env({ green: 100 }), dev: env({ blue: 100 }) };
    const { problems } = diffRollout(base, head, {});
    expect(problems).toEqual([
      "prod: deployment 'blue' is removed but still had 90 % live traffic in the base; drain it to 0 in one change and remove it in a later one (Azure refuses to delete a deployment with traffic)",
      "dev: deployment 'green' is removed but still had 5 % mirrored traffic in the base; set its mirror to 0 in one change and remove it in a later one",
    ]);
  });

  it('allows the second step of a retirement (drained in the base)', () => {
    const base = { prod: env({ blue: 0, green: 100 }) };
    const head = { prod: env({ green: 100 }) };
    expect(diffRollout(base, head, GUARDS)).toEqual({ lines: ['prod: blue 0 -> (removed)'], problems: [] });
  });

  it("limits every deployment's increase in live share to maxCanaryStep, past 50 % too", () => {
    const step = (from: Record<string, number>, to: Record<string, number>) =>
      diffRollout({ prod: env(from) }, { prod: env(to) }, GUARDS).problems;
    expect(step({ blue: 90, green: 10 }, { blue: 50, green: 50 })).toEqual([
      "prod: deployment 'green' live traffic 10 -> 50 jumps by 40 points, more than prod's maxCanaryStep of 25; move it in steps of at most 25 (for a rollback, confirm with --rollback)",
    ]);
    expect(step({ blue: 90, green: 10 }, { blue: 65, green: 35 })).toEqual([]);
    // The documented promotion: 10 -> 35 -> 60 -> 85 -> 100 passes step by step...
    expect(step({ blue: 40, green: 60 }, { blue: 15, green: 85 })).toEqual([]);
    expect(step({ blue: 15, green: 85 }, { blue: 0, green: 100 })).toEqual([]);
    // ...but a canary holding more than half is still a canary: 60 -> 100 is a 40-point jump.
    expect(step({ blue: 40, green: 60 }, { blue: 0, green: 100 })).toEqual([
      "prod: deployment 'green' live traffic 60 -> 100 jumps by 40 points, more than prod's maxCanaryStep of 25; move it in steps of at most 25 (for a rollback, confirm with --rollback)",
    ]);
    // A rollback moves traffic the same way; without --rollback it is limited too.
    expect(step({ blue: 50, green: 50 }, { blue: 100, green: 0 })).toHaveLength(1);
    // The same jump in an environment without a guard is fine.
    expect(
      diffRollout({ dev: env({ blue: 90, green: 10 }) }, { dev: env({ blue: 0, green: 100 }) }, GUARDS)
        .problems,
    ).toEqual([]);
  });

  it('--rollback lifts the step limit and nothing else', () => {
    const base = { prod: env({ blue: 40, green: 60 }) };
    expect(
      diffRollout(base, { prod: env({ blue: 100, green: 0 }) }, GUARDS, { rollback: true }).problems,
    ).toEqual([]);
    const removal = diffRollout(base, { prod: env({ blue: 100 }) }, GUARDS, { rollback: true });
    expect(removal.problems).toEqual([
      "prod: deployment 'green' is removed but still had 60 % live traffic in the base; drain it to 0 in one change and remove it in a later one (Azure refuses to delete a deployment with traffic)",
    ]);
  });

  it('only an endpoint marked notLiveYet may go live in one step; 0/0 without the mark does not skip the limit', () => {
    const notLive = { ...env({ blue: 0, green: 0 }), notLiveYet: true };
    expect(diffRollout({ prod: notLive }, { prod: env({ blue: 100, green: 0 }) }, GUARDS)).toEqual({
      lines: ['prod: blue 0 -> 100, goes live'],
      problems: [],
    });
    // `blue 100 -> 0` (refused by the rules) followed by `0 -> 100` is still a 100-point jump.
    expect(
      diffRollout({ prod: env({ blue: 0, green: 0 }) }, { prod: env({ blue: 0, green: 100 }) }, GUARDS)
        .problems,
    ).toEqual([
      "prod: deployment 'green' live traffic 0 -> 100 jumps by 100 points, more than prod's maxCanaryStep of 25; move it in steps of at most 25 (for a rollback, confirm with --rollback)",
    ]);
  });

  it('refuses to mark a live endpoint notLiveYet (a full outage)', () => {
    const offline = { ...env({ blue: 0 }), notLiveYet: true };
    expect(diffRollout({ prod: env({ blue: 100 }) }, { prod: offline }, {}).problems).toEqual([
      'prod: marked notLiveYet, but the endpoint had live traffic in the base (blue 100); taking all traffic away is a full outage. Keep the split at 100 and drain deployments one by one',
    ]);
  });

  it('refuses an in-place instanceType change: add a new deployment', () => {
    const base = { prod: env({ blue: 100 }) };
    const head = {
      prod: {
        ...env({ blue: 100 }),
        deployments: { blue: { ...spec('fraud-detector:1'), instanceType: 'Standard_DS4_v2' } },
      },
    };
    const diff = diffRollout(base, head, {});
    expect(diff.lines).toEqual(['prod: blue instanceType Standard_DS3_v2 -> Standard_DS4_v2']);
    expect(diff.problems).toEqual([
      "prod: deployment 'blue': instanceType Standard_DS3_v2 -> Standard_DS4_v2 cannot change in place (Azure refuses it); add a new deployment with the new size and shift traffic to it",
    ]);
  });

  it('treats every environment as new when there is no base file', () => {
    expect(diffRollout(undefined, { dev: env({ blue: 100 }) }, {}).lines).toEqual([
      'dev: new environment: blue 100',
    ]);
  });

  it('describes the current split without a base', () => {
    expect(
      describeRollout({ prod: env({ blue: 100, green: 0 }, { green: 10 }, { green: 'fraud-detector:2' }) }),
    ).toEqual(['prod: blue 100, green 0; mirror green 10 [blue=fraud-detector:1, green=fraud-detector:2]']);
  });

  it('never flags a config compared with itself, and a canary step of 100 never flags a kept deployment', () => {
    fc.assert(
      fc.property(validEnvRollout, validEnvRollout, (a, b) => {
        expect(diffRollout({ prod: a }, { prod: a }, GUARDS).problems).toEqual([]);
        // Keep every deployment of a with its instanceType, and do not take a live endpoint offline:
        // then only a removal could flag with step 100, and there is none.
        const deployments = { ...a.deployments, ...b.deployments };
        for (const [name, s] of Object.entries(a.deployments)) {
          deployments[name] = { ...deployments[name]!, instanceType: s.instanceType };
        }
        const { notLiveYet: _bNotLive, ...bLive } = b;
        const merged = {
          ...(a.notLiveYet ? b : bLive),
          deployments,
          traffic: { ...b.traffic },
        };
        expect(diffRollout({ prod: a }, { prod: merged }, { prod: { maxCanaryStep: 100 } }).problems).toEqual(
          [],
        );
      }),
      { seed: 7, numRuns: 200 },
    );
  });
});

describe('evaluateRolloutSource', () => {
  it('evaluates a TypeScript rollout file with type-only imports', () => {
    const src =
      "import type { X } from './x';\nexport const ROLLOUT = { dev: { traffic: { blue: 100 } } } as const satisfies X;\n";
    expect(evaluateRolloutSource(src, 'test.ts')).toEqual({ dev: { traffic: { blue: 100 } } });
  });

  it('refuses runtime imports, process access and endless loops', () => {
    expect(() =>
      evaluateRolloutSource("import { a } from 'fs';\nexport const ROLLOUT = { a };", 't.ts'),
    ).toThrow(/imports 'fs' at run time; the rollout file must be pure data/);
    expect(() => evaluateRolloutSource('export const ROLLOUT = process.env;', 't.ts')).toThrow(
      /process is not defined/,
    );
    expect(() => evaluateRolloutSource('while (true) {}\nexport const ROLLOUT = 1;', 't.ts')).toThrow(
      /timed out/,
    );
    expect(() => evaluateRolloutSource('export const OTHER = 1;', 't.ts')).toThrow(/does not export ROLLOUT/);
    expect(() => evaluateRolloutSource('export const ROLLOUT = {', 't.ts')).toThrow(/cannot compile t\.ts/);
  });
});
