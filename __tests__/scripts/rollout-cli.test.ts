/** End to end: `rollout status --base <ref>` against a throwaway git repository. */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runRolloutCli } from '../../scripts/rollout';
import { rolloutGuards } from '../../scripts/rollout-guards';

const PROJECT = path.resolve(__dirname, '../..');

// The command checks the rollout against the committed stacks/environments.ts (autoscale ranges,
// maxCanaryStep): the counts below lie within every environment's range.
const single = (size: string) =>
  `{ deployments: { blue: { model: 'fraud-detector:1', instanceType: '${size}', instanceCount: 2 } }, traffic: { blue: 100 } }`;
function rolloutFile(prod: string, { staging = true, dev = single('Standard_DS2_v2') } = {}): string {
  return [
    "import type { EnvironmentRollout } from '../constructs/serving/rollout-validation';",
    'export const ROLLOUT = {',
    `  dev: ${dev},`,
    ...(staging ? [`  staging: ${single('Standard_DS3_v2')},`] : []),
    `  prod: ${prod},`,
    '} as const satisfies Record<string, EnvironmentRollout>;',
    '',
  ].join('\n');
}
const prodWith = (blue: number | null, green: number, greenCount = 2): string => {
  const blueSpec = "blue: { model: 'fraud-detector:1', instanceType: 'Standard_DS3_v2', instanceCount: 2 }, ";
  const greenSpec = `green: { model: 'fraud-detector:2', instanceType: 'Standard_DS3_v2', instanceCount: ${greenCount} }`;
  return blue === null
    ? `{ deployments: { ${greenSpec} }, traffic: { green: ${green} } }`
    : `{ deployments: { ${blueSpec}${greenSpec} }, traffic: { blue: ${blue}, green: ${green} } }`;
};

describe('npm run rollout -- status', () => {
  let repo: string;
  const git = (...args: string[]): string =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
      cwd: repo,
      encoding: 'utf8',
    });
  const run = (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = runRolloutCli(
      argv,
      (l) => out.push(l),
      (l) => err.push(l),
      repo,
    );
    return { code, out, err };
  };

  beforeAll(() => {
    repo = mkdtempSync(path.join(os.tmpdir(), 'rollout-cli-'));
    mkdirSync(path.join(repo, 'stacks'));
    mkdirSync(path.join(repo, 'constructs/serving'), { recursive: true });
    copyFileSync(
      path.join(PROJECT, 'constructs/serving/rollout-validation.ts'),
      path.join(repo, 'constructs/serving/rollout-validation.ts'),
    );
    writeFileSync(path.join(repo, 'stacks/rollout.ts'), rolloutFile(prodWith(90, 10)));
    git('init', '-q');
    git('add', '.');
    git('commit', '-q', '-m', 'base');
    git('tag', 'base');
  });
  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  it('prints the split and the change per environment and exits 0 for a safe step', () => {
    writeFileSync(path.join(repo, 'stacks/rollout.ts'), rolloutFile(prodWith(75, 25)));
    expect(run('status', '--base', 'base')).toEqual({
      code: 0,
      out: [
        'dev: unchanged (blue 100)',
        'staging: unchanged (blue 100)',
        'prod: blue 90 -> 75, green 10 -> 25',
      ],
      err: [],
    });
    expect(run('status').out).toEqual([
      'dev: blue 100 [blue=fraud-detector:1]',
      'staging: blue 100 [blue=fraud-detector:1]',
      'prod: blue 75, green 25 [blue=fraud-detector:1, green=fraud-detector:2]',
    ]);
  });

  it('exits 1 when a deployment with traffic in the base is removed', () => {
    writeFileSync(path.join(repo, 'stacks/rollout.ts'), rolloutFile(prodWith(null, 100)));
    const { code, out, err } = run('status', '--base', 'base');
    expect(code).toBe(1);
    expect(out).toContain('prod: blue 90 -> (removed), green 10 -> 100');
    expect(err.join('\n')).toMatch(
      /prod: deployment 'blue' is removed but still had 90 % live traffic in the base/,
    );
  });

  it("exits 1 when a prod canary jumps by more than prod's maxCanaryStep", () => {
    const step = rolloutGuards().prod?.maxCanaryStep ?? 0;
    expect(step).toBeGreaterThan(0);
    const green = Math.min(100, 10 + step + 1);
    writeFileSync(path.join(repo, 'stacks/rollout.ts'), rolloutFile(prodWith(100 - green, green)));
    const { code, err } = run('status', '--base', 'base');
    expect(code).toBe(1);
    expect(err.join('\n')).toMatch(
      new RegExp(`prod: deployment 'green' live traffic 10 -> ${green} jumps by ${green - 10} points`),
    );
  });

  it('exits 1 for invalid working-tree constants and 2 for a bad command line', () => {
    writeFileSync(path.join(repo, 'stacks/rollout.ts'), rolloutFile(prodWith(90, 20)));
    const invalid = run('status');
    expect(invalid.code).toBe(1);
    expect(invalid.err.join('\n')).toMatch(/prod: traffic must sum to 100, got 110/);
    expect(run('promote').code).toBe(2);
    expect(run('status', '--bogus').code).toBe(2);
    const unknownRef = run('status', '--base', 'no-such-ref');
    expect(unknownRef.code).toBe(1);
    expect(unknownRef.err.join('\n')).toMatch(/cannot read stacks\/rollout\.ts at 'no-such-ref'/);
  });

  it('runs as the npm script entry point', () => {
    writeFileSync(path.join(repo, 'stacks/rollout.ts'), rolloutFile(prodWith(90, 10)));
    // As package.json runs it: node with the esbuild loader (tsx costs seconds of start-up).
    const stdout = execFileSync(
      process.execPath,
      [
        '-r',
        path.join(PROJECT, 'scripts/register-ts.cjs'),
        path.join(PROJECT, 'scripts/rollout.ts'),
        'status',
        '--base',
        'base',
      ],
      { cwd: repo, encoding: 'utf8' },
    );
    expect(stdout).toBe(
      'dev: unchanged (blue 100)\nstaging: unchanged (blue 100)\nprod: unchanged (blue 90, green 10)\n',
    );
  });

  it('applies every rule synth applies: a missing environment, the autoscale range, the SKU list', () => {
    writeFileSync(
      path.join(repo, 'stacks/rollout.ts'),
      rolloutFile(prodWith(90, 10, 1), { staging: false, dev: single('Standard_D3S_v2') }),
    );
    const { code, err } = run('status', '--base', 'base');
    expect(code).toBe(1);
    const text = err.join('\n');
    expect(text).toMatch(/staging: missing from ROLLOUT/);
    expect(text).toMatch(
      /prod: deployment 'green': instanceCount 1 must lie within prod\.serving\.autoscale 2\.\.10/,
    );
    expect(text).toMatch(
      /dev: deployment 'blue': instanceType "Standard_D3S_v2" is not a managed online endpoint VM size/,
    );
  });

  it('refuses an in-place instanceType change and a live endpoint taken to notLiveYet', () => {
    writeFileSync(
      path.join(repo, 'stacks/rollout.ts'),
      rolloutFile(prodWith(90, 10), {
        dev: "{ notLiveYet: true, deployments: { blue: { model: 'fraud-detector:1', instanceType: 'Standard_DS3_v2', instanceCount: 2 } }, traffic: { blue: 0 } }",
      }),
    );
    const { code, err } = run('status', '--base', 'base');
    expect(code).toBe(1);
    const text = err.join('\n');
    expect(text).toMatch(
      /dev: deployment 'blue': instanceType Standard_DS2_v2 -> Standard_DS3_v2 cannot change in place/,
    );
    expect(text).toMatch(
      /dev: marked notLiveYet, but the endpoint had live traffic in the base \(blue 100\)/,
    );
  });

  it('--rollback confirms a large move back and lifts only the step limit', () => {
    writeFileSync(path.join(repo, 'stacks/rollout.ts'), rolloutFile(prodWith(40, 60)));
    git('commit', '-q', '-am', 'canary at 60');
    git('tag', 'at-60');
    writeFileSync(path.join(repo, 'stacks/rollout.ts'), rolloutFile(prodWith(100, 0)));
    expect(run('status', '--base', 'at-60').code).toBe(1);
    const confirmed = run('status', '--base', 'at-60', '--rollback');
    expect(confirmed.code).toBe(0);
    expect(confirmed.out).toContain('(--rollback: the maxCanaryStep limit is not applied to this change)');
    writeFileSync(path.join(repo, 'stacks/rollout.ts'), rolloutFile(prodWith(0, 100)));
    expect(run('status', '--base', 'at-60').err.join('\n')).toMatch(
      /prod: deployment 'green' live traffic 60 -> 100 jumps by 40 points/,
    );
    expect(run('status', '--rollback').code).toBe(2);
  });
});
