import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { addCanary, rolloutEditProblems, runRolloutEditCli, setTraffic } from '../../scripts/rollout-edit';
import { evaluateRolloutSource } from '../../scripts/rollout-load';

/** A rollout file as an operator keeps it: comments, `as const satisfies`, multi-line literals. */
const FIXTURE = `/** THE rollout constants (test fixture). */
import type { EnvironmentRollout } from '../constructs/serving/rollout-validation';
import type { EnvName } from './environments';

export const ROLLOUT = {
  dev: {
    deployments: {
      blue: { model: 'fraud-detection-model:1', instanceType: 'Standard_DS2_v2', instanceCount: 1 },
    },
    traffic: { blue: 100 },
  },
  staging: {
    deployments: {
      blue: { model: 'fraud-detection-model:1', instanceType: 'Standard_DS3_v2', instanceCount: 1 },
    },
    traffic: { blue: 100 },
  },
  prod: {
    deployments: {
      blue: { model: 'fraud-detection-model:1', instanceType: 'Standard_DS3_v2', instanceCount: 2 },
      // green = the candidate from the weekly retrain
      green: { model: 'fraud-detection-model:2', instanceType: 'Standard_DS3_v2', instanceCount: 2 },
    },
    traffic: {
      blue: 90,
      green: 10, // canary
    },
  },
} as const satisfies Record<EnvName, EnvironmentRollout>;
`;

type Envs = Record<
  string,
  { deployments: Record<string, { model: string }>; traffic: Record<string, number> }
>;
const evaluate = (src: string) => evaluateRolloutSource(src, 'fixture') as Envs;

describe('rollout editor', () => {
  test('adds a dev canary at a small share, taken from the incumbent, keeping every comment', () => {
    const { source, summary } = addCanary(FIXTURE, 'dev', {
      name: 'green',
      model: 'fraud-detection-model:7',
      percent: 5,
    });
    expect(summary).toBe('dev: blue 100 -> 95, green (new, fraud-detection-model:7) 5');
    const dev = evaluate(source).dev;
    expect(dev.traffic).toEqual({ blue: 95, green: 5 });
    expect(dev.deployments.green).toEqual({
      model: 'fraud-detection-model:7',
      instanceType: 'Standard_DS2_v2',
      instanceCount: 1,
    });
    expect(source).toContain('// green = the candidate from the weekly retrain');
    expect(source).toContain('/** THE rollout constants (test fixture). */');
    // Only dev changed.
    expect(evaluate(source).prod).toEqual(evaluate(FIXTURE).prod);
    expect(rolloutEditProblems(FIXTURE, source)).toEqual([]);
  });

  test('shifts prod traffic within a multi-line literal with a trailing comment', () => {
    const { source, summary } = setTraffic(FIXTURE, 'prod', { blue: 75, green: 25 });
    expect(summary).toBe('prod: blue 90 -> 75, green 10 -> 25');
    expect(evaluate(source).prod.traffic).toEqual({ blue: 75, green: 25 });
    expect(source).toContain('green: 25, // canary');
  });

  test('refuses a split that does not name every deployment', () => {
    expect(() => setTraffic(FIXTURE, 'prod', { blue: 100 })).toThrow(/missing from --split: green/);
    expect(() => setTraffic(FIXTURE, 'prod', { blue: 50, green: 40, red: 10 })).toThrow(/not declared.*red/);
  });

  test('refuses an unknown environment or an existing deployment name', () => {
    expect(() => setTraffic(FIXTURE, 'qa', { blue: 100 })).toThrow(
      /no environment 'qa' \(it has: dev, staging, prod\)/,
    );
    expect(() => addCanary(FIXTURE, 'prod', { name: 'green', model: 'm:3', percent: 0 })).toThrow(
      /already declares a deployment 'green'/,
    );
  });

  test('the rules of `rollout status` judge the edited file: a split that sums to 90 is invalid', () => {
    const { source } = setTraffic(FIXTURE, 'prod', { blue: 80, green: 10 });
    expect(rolloutEditProblems(FIXTURE, source).join('\n')).toMatch(/prod.*100/);
  });

  describe('CLI', () => {
    let root: string;
    const file = () => path.join(root, 'stacks/rollout.ts');
    const run = (...argv: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = runRolloutEditCli(
        argv,
        (l) => out.push(l),
        (l) => err.push(l),
        root,
      );
      return { code, out, err };
    };
    beforeEach(() => {
      root = mkdtempSync(path.join(os.tmpdir(), 'rollout-edit-'));
      mkdirSync(path.join(root, 'stacks'));
      writeFileSync(file(), FIXTURE);
    });
    afterEach(() => rmSync(root, { recursive: true, force: true }));

    test('writes the edit and prints the change', () => {
      const r = run(
        'add-canary',
        '--env',
        'dev',
        '--name',
        'green',
        '--model',
        'fraud-detection-model:7',
        '--percent',
        '5',
      );
      expect(r).toEqual({
        code: 0,
        out: ['dev: blue 100 -> 95, green (new, fraud-detection-model:7) 5'],
        err: [],
      });
      expect(evaluate(readFileSync(file(), 'utf8')).dev.traffic).toEqual({ blue: 95, green: 5 });
    });

    test('an invalid split is refused with exit 1 and the file is left untouched', () => {
      const r = run('set-traffic', '--env', 'prod', '--split', 'blue=80,green=10');
      expect(r.code).toBe(1);
      expect(r.err[0]).toMatch(/^refused: the edit \(prod: blue 90 -> 80\) breaks/);
      expect(readFileSync(file(), 'utf8')).toBe(FIXTURE);
    });

    test('usage errors exit 2', () => {
      expect(run('promote').code).toBe(2);
      expect(run('set-traffic', '--env', 'prod').code).toBe(2);
      expect(run('set-traffic', '--env', 'prod', '--split', 'blue:90').code).toBe(1);
    });
  });
});
