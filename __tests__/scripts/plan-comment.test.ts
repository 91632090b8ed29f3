import { mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  COMMENT_MARKER,
  countChanges,
  MAX_COMMENT_CHARS,
  PlanJson,
  renderComment,
  runPlanCommentCli,
  statefulLosses,
} from '../../scripts/plan-comment';

const FIXTURES = path.join(__dirname, '../fixtures/plans');
const plan = (name: string) =>
  JSON.parse(readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8')) as PlanJson;

describe('plan comment renderer', () => {
  test('counts as terraform does: a replace is one add and one destroy; data reads and no-ops are not changes', () => {
    expect(countChanges(plan('fresh-dev'))).toEqual({ add: 4, change: 0, destroy: 0, replace: 0 });
    expect(countChanges(plan('update-in-place'))).toEqual({ add: 0, change: 2, destroy: 0, replace: 0 });
    expect(countChanges(plan('replace'))).toEqual({ add: 2, change: 0, destroy: 2, replace: 2 });
    expect(countChanges(plan('destroy-stateful'))).toEqual({ add: 0, change: 0, destroy: 3, replace: 0 });
  });

  test('names every destroy or replace of a stateful resource, and nothing else', () => {
    expect(statefulLosses('fraud-prod', plan('destroy-stateful'))).toEqual([
      {
        stack: 'fraud-prod',
        address: 'azurerm_key_vault.Platform_KeyVault_093C227A',
        kind: 'Key Vault',
        action: 'destroy',
      },
    ]);
    // The deployment replace is not stateful; the ML registry (an azapi resource) is.
    expect(statefulLosses('fraud-shared', plan('replace'))).toEqual([
      {
        stack: 'fraud-shared',
        address: 'azapi_resource.Registry_B238A970',
        kind: 'ML registry',
        action: 'replace',
      },
    ]);
    expect(statefulLosses('fraud-dev', plan('update-in-place'))).toEqual([]);
  });

  test('a stateful destroy is a loud caution at the top, before the table', () => {
    const body = renderComment({
      stacks: [
        { stack: 'fraud-dev', plan: plan('update-in-place') },
        { stack: 'fraud-prod', plan: plan('destroy-stateful') },
      ],
    });
    const lines = body.split('\n');
    expect(lines[0]).toBe(COMMENT_MARKER);
    expect(lines[1]).toBe('### Plan preview: 2 of 2 stack(s) change');
    const caution = lines.indexOf('> [!CAUTION]');
    const table = lines.indexOf('| stack | add | change | destroy | note |');
    expect(caution).toBeGreaterThan(0);
    expect(caution).toBeLessThan(table);
    expect(body).toContain(
      '> - **DESTROY** Key Vault `azurerm_key_vault.Platform_KeyVault_093C227A` in `fraud-prod`',
    );
    expect(body).toContain('| `fraud-prod` | 0 | 0 | 3 | ⚠️ 1 stateful |');
    expect(body).toContain('| `fraud-dev` | 0 | 2 | 0 | - |');
  });

  test('a traffic change shows its rollout line and the canary verdict; no caution', () => {
    const body = renderComment({
      stacks: [{ stack: 'fraud-prod', plan: plan('traffic-shift') }],
      rolloutLines: ['dev: unchanged (blue 100)', 'prod: blue 90 -> 75, green 10 -> 25'],
      canary: {
        prod: 'green: promote (errors 0.2 % vs 0.3 %, p95 ratio 0.97, KS p 0.41, 12,410 requests)\nnext: ...',
      },
    });
    expect(body.split('\n')[1]).toBe(
      '### Plan preview: 1 of 1 stack(s) change; traffic changes in 1 environment(s)',
    );
    expect(body).toContain('```\ndev: unchanged (blue 100)\nprod: blue 90 -> 75, green 10 -> 25\n```');
    expect(body).toContain(
      '<details><summary>prod: green: promote (errors 0.2 % vs 0.3 %, p95 ratio 0.97, KS p 0.41, 12,410 requests)</summary>',
    );
    expect(body).not.toContain('CAUTION');
  });

  test('an oversized plan is folded and cut to fit the limit, and the caution survives', () => {
    const huge = Array.from({ length: 40_000 }, (_, i) => `  # azapi_resource.r${i} will be created`).join(
      '\n',
    );
    const body = renderComment({
      stacks: [
        { stack: 'fraud-dev', plan: plan('fresh-dev'), text: huge },
        { stack: 'fraud-prod', plan: plan('destroy-stateful'), text: huge },
      ],
    });
    expect(huge.length * 2).toBeGreaterThan(MAX_COMMENT_CHARS * 10);
    expect(body.length).toBeLessThanOrEqual(MAX_COMMENT_CHARS);
    expect(body).toContain('**DESTROY** Key Vault');
    expect(body.match(/<details><summary><code>fraud-(dev|prod)<\/code>/g)).toHaveLength(2);
    expect(body).toMatch(/more line\(s\) cut to fit the comment/);
  });

  test('CLI: reads <stack>.json and <stack>.txt from a folder', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'plan-comment-'));
    try {
      copyFileSync(path.join(FIXTURES, 'traffic-shift.json'), path.join(dir, 'fraud-prod.json'));
      writeFileSync(path.join(dir, 'fraud-prod.txt'), '  ~ resource "azapi_update_resource" "traffic" {}');
      writeFileSync(path.join(dir, 'rollout.txt'), 'prod: blue 90 -> 75, green 10 -> 25\n');
      const out: string[] = [];
      const code = runPlanCommentCli(
        ['--plans', dir, '--rollout', path.join(dir, 'rollout.txt')],
        (s) => out.push(s),
        () => {},
      );
      expect(code).toBe(0);
      expect(out[0]).toContain(
        '<details><summary><code>fraud-prod</code>: 0 to add, 1 to change, 0 to destroy</summary>',
      );
      const err: string[] = [];
      writeFileSync(path.join(dir, 'fraud-dev.json'), '{not json');
      expect(
        runPlanCommentCli(
          ['--plans', dir],
          () => {},
          (s) => err.push(s),
        ),
      ).toBe(2);
      expect(err[0]).toMatch(/fraud-dev.json is not the JSON of 'terraform show -json'/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
