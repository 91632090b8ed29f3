import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatSummary, readSynthOutput, summarizeStack } from '../../scripts/synth-summary';
import { buildApp } from '../../stacks/app';
import { TEST_ROLLOUTS } from '../helpers/test-rollouts';

describe('synth summary', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'fraud-summary-'));
  beforeAll(() => buildApp({ outdir, rollout: TEST_ROLLOUTS }).app.synth());
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test('summarizes every stack in deployment order with counts, names and azapi types', () => {
    const summaries = readSynthOutput(outdir);
    expect(summaries.map((s) => s.stack)).toEqual([
      'fraud-shared',
      'fraud-dev',
      'fraud-staging',
      'fraud-prod',
    ]);
    expect(summaries[0]!.azapiTypes).toEqual(['Microsoft.MachineLearningServices/registries@2026-05-01']);
    const dev = summaries[1]!;
    expect(dev.countsByType.azurerm_storage_account).toBe(1);
    // 4 platform grants + the workspace's use of the shared registry + 4 for the online endpoint
    // identity (serving) + 2 for the job cluster identity (jobs) + 2 more for it as the daily drift
    // job's identity (Log Analytics Reader, registry user: stacks/drift-job.ts).
    expect(dev.countsByType.azurerm_role_assignment).toBe(13);
    expect(dev.resourceCount).toBe(Object.values(dev.countsByType).reduce((a, b) => a + b, 0));
    expect(dev.names).toContain('azurerm_machine_learning_workspace: mlw-fraud-dev');
    expect(dev.azapiTypes).toEqual(
      expect.arrayContaining([
        'Microsoft.MachineLearningServices/workspaces/onlineEndpoints@2026-05-01',
        'Microsoft.MachineLearningServices/workspaces/computes@2026-05-01',
        'Microsoft.MachineLearningServices/workspaces/schedules@2026-05-01',
        'Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments@2026-05-01',
        'Microsoft.MachineLearningServices/workspaces/environments/versions@2026-05-01',
      ]),
    );
    expect(dev.providers).toEqual({ azapi: '~> 2.12', azurerm: '4.55.0', time: '~> 0.12' });
    expect(dev.backend).toBe('local (path=../../../terraform.fraud-dev.tfstate)');
    const text = formatSummary(dev);
    expect(text).toMatch(/^== fraud-dev: \d+ resources/);
    expect(text).toContain('azurerm_key_vault: kv-fraud-dev-');
  });

  test('skips token names and reports a missing output folder', () => {
    const s = summarizeStack('x', { resource: { azurerm_thing: { a: { name: '${var.n}' } } } });
    expect(s.names).toEqual([]);
    expect(s.backend).toBe('local (default)');
    expect(() => readSynthOutput(path.join(outdir, 'missing'))).toThrow(
      /no synthesized stacks in .*missing\/stacks; run 'npm run synth' first/,
    );
  });
});
