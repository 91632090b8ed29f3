import { execFileSync } from 'node:child_process';
import path from 'node:path';

/**
 * The layering of DESIGN.md ("Dependency direction") is enforced by eslint.config.mjs. These cases
 * lint a one-line file placed in each folder, so a rule that stops matching fails here, not in a
 * review months later.
 */
const root = path.resolve(__dirname, '../..');

/** Lints every case in one child process: eslint.config.mjs is ESM, which jest's VM cannot import. */
function lintAll(cases: readonly (readonly [string, string])[]): Map<string, number> {
  const script = `
    const { ESLint } = require('eslint');
    const cases = JSON.parse(process.argv[1]);
    (async () => {
      const eslint = new ESLint({ cwd: process.cwd() });
      const out = [];
      for (const [file, spec] of cases) {
        const [r] = await eslint.lintText("import '" + spec + "';\\n", { filePath: file });
        out.push(r.messages.filter((m) => m.ruleId === 'no-restricted-imports').length);
      }
      process.stdout.write(JSON.stringify(out));
    })().catch((e) => { console.error(e); process.exit(2); });`;
  const out = execFileSync(process.execPath, ['-e', script, JSON.stringify(cases)], {
    cwd: root,
    encoding: 'utf8',
  });
  const counts = JSON.parse(out) as number[];
  return new Map(cases.map(([file, spec], i) => [`${file} ${spec}`, counts[i]]));
}

const FORBIDDEN = [
  ['constructs/serving/x.ts', '../../stacks/environments'],
  ['constructs/platform/x.ts', '../../service/bundle'],
  ['constructs/x.ts', '../model/features'],
  ['constructs/azapi/x.ts', '../core/naming'],
  ['service/http/x.ts', '../../model/train/api'],
  ['service/http/x.ts', '../../model/cli/progress'],
  ['service/x.ts', '../constructs/serving'],
  ['service/x.ts', 'cdktf'],
  ['model/drift/x.ts', '../../service/config'],
  ['model/x.ts', '../stacks/rollout'],
  ['model/x.ts', '@cdktf/provider-azurerm/lib/provider'],
  ['stacks/x.ts', '../scripts/rollout'],
  ['util/x.ts', '../model/schema'],
  ['util/x.ts', '../constructs/core'],
  ['util/x.ts', 'cdktf'],
] as const;

const ALLOWED = [
  ['constructs/serving/x.ts', '../azapi'],
  ['constructs/serving/x.ts', '../core/naming'],
  ['service/http/x.ts', '../../model/schema'],
  ['service/scoring/x.ts', '../../model/package/loader'],
  ['service/scoring/x.ts', '../../model/explain/tree-shap'],
  ['service/cli/start.ts', '../../model/train/api'],
  ['model/drift/x.ts', '../features'],
  ['stacks/x.ts', '../constructs/serving'],
  ['stacks/x.ts', '../service/bundle'],
  ['scripts/x.ts', '../stacks/rollout'],
  ['model/x.ts', '../util/values'],
  ['service/http/x.ts', '../../util/values'],
  ['constructs/core/x.ts', '../../util/values'],
] as const;

describe('import boundaries', () => {
  const counts = lintAll([...FORBIDDEN, ...ALLOWED]);

  test.each(FORBIDDEN)('%s may not import %s', (file, spec) => {
    expect(counts.get(`${file} ${spec}`)).toBe(1);
  });

  test.each(ALLOWED)('%s may import %s', (file, spec) => {
    expect(counts.get(`${file} ${spec}`)).toBe(0);
  });
});
