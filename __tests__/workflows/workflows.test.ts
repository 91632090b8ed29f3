import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRuleProblems, workflowFiles, type WorkflowProblem } from '../../scripts/lint-workflows';

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/tsx/dist/cli.mjs');

/** A broken workflow: actionlint and the project rules must both catch it. */
const BAD = [
  'name: bad',
  'on: push',
  'jobs:',
  '  apply:',
  '    runs-on: ubuntu-latest',
  '    steps:',
  '      - uses: actions/checkout@v4',
  '      - run: terraform apply -auto-approve || true',
  '      - run: echo "${{ matrix.missing }}"',
  '',
].join('\n');

/**
 * Lints this repository and a temporary one holding BAD in ONE child process, the way
 * `npm run lint:workflows` does (`--json`): actionlint's WebAssembly takes seconds to instantiate.
 */
function lintBoth(): { status: number | null; repo: WorkflowProblem[]; bad: string[] } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'workflows-'));
  try {
    mkdirSync(path.join(dir, '.github/workflows'), { recursive: true });
    writeFileSync(path.join(dir, '.github/workflows/bad.yml'), BAD);
    const res = spawnSync(
      process.execPath,
      [TSX, path.join(ROOT, 'scripts/lint-workflows.ts'), '--json', ROOT, dir],
      {
        encoding: 'utf8',
      },
    );
    const byRoot = JSON.parse(res.stdout || '{}') as Record<string, WorkflowProblem[]>;
    return {
      status: res.status,
      repo: byRoot[ROOT] ?? [],
      bad: (byRoot[dir] ?? []).map((p) => `${p.file}:${p.line}: ${p.message}`),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('GitHub workflows', () => {
  const result = lintBoth();

  test('every workflow passes actionlint and the project rules', () => {
    expect(workflowFiles(ROOT)).toEqual(
      expect.arrayContaining([
        '.github/workflows/ci.yml',
        '.github/workflows/plan.yml',
        '.github/workflows/deploy.yml',
        '.github/workflows/retrain.yml',
        '.github/workflows/drift.yml',
        '.github/workflows/canary.yml',
      ]),
    );
    expect(result.repo).toEqual([]);
  });

  test('a broken workflow fails: actionlint errors and the project rules are both reported', () => {
    expect(result.status).toBe(1);
    expect(result.bad).toEqual(
      expect.arrayContaining([
        ".github/workflows/bad.yml:7: 'actions/checkout@v4' must be pinned to a full commit SHA",
        ".github/workflows/bad.yml:8: '|| true' hides failures; handle the exit code explicitly",
        ".github/workflows/bad.yml:1: set 'permissions' for the workflow or for job(s) apply",
        ".github/workflows/bad.yml:1: a workflow that applies must set 'cancel-in-progress: false'",
      ]),
    );
    // From actionlint itself: the expression names a matrix value that does not exist.
    expect(
      result.bad.some((l) => /^\.github\/workflows\/bad\.yml:9: .*"missing".*\[expression\]$/.test(l)),
    ).toBe(true);
  });

  test('a version comment must go with every pinned SHA, and client secrets are refused', () => {
    const text = [
      'permissions: {}',
      'jobs:',
      '  x:',
      '    steps:',
      '      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1',
      '      - run: az login --service-principal -p "${{ secrets.ARM_CLIENT_SECRET }}"',
      '      - uses: ./.github/actions/setup',
    ].join('\n');
    expect(
      projectRuleProblems('.github/workflows/x.yml', text).map((p) => `${p.line}: ${p.message}`),
    ).toEqual([
      "5: 'actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1' needs its version in a comment ('# v1.2.3')",
      '6: no long-lived Azure secret: log in with OIDC (azure/login with client-id, tenant-id, subscription-id)',
    ]);
  });
});
