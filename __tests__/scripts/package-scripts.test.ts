/**
 * Every `npm run <script>` points at something that exists: a dead script (`npm run drift` once
 * pointed at a missing file) fails here, not in an operator's terminal.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  devDependencies?: Record<string, string>;
  dependencies?: Record<string, string>;
};

/** The project files a command line runs or loads: `tsx x.ts`, `node -r ./y.cjs x.ts`, `bash .ci/run`. */
export function entryFiles(command: string): string[] {
  const files: string[] = [];
  for (const part of command.split(/&&|\|\||;/)) {
    const words = part
      .trim()
      .split(/\s+/)
      .filter((w) => !/^[A-Z_][A-Z0-9_]*=/.test(w));
    for (const w of words) {
      if (/^\.{0,2}\/?[\w.-]+(\/[\w.-]+)*\.(ts|cjs|mjs|js|sh|py)$/.test(w)) files.push(w);
    }
  }
  return files;
}

/** The program a command starts (`tsx`, `node`, `cdktf`, `npm`), after any VAR=value prefix. */
function programs(command: string): string[] {
  return command
    .split(/&&|\|\||;/)
    .map(
      (part) =>
        part
          .trim()
          .split(/\s+/)
          .find((w) => !/^[A-Z_][A-Z0-9_]*=/.test(w)) ?? '',
    )
    .filter((p) => p !== '');
}

const BUILTIN = new Set(['node', 'npm', 'npx', 'bash', 'sh']);

describe('package.json scripts', () => {
  test.each(Object.entries(pkg.scripts))('%s runs something that exists', (name, command) => {
    for (const file of entryFiles(command)) {
      expect({ script: name, file, exists: existsSync(path.join(root, file)) }).toEqual({
        script: name,
        file,
        exists: true,
      });
    }
    for (const program of programs(command)) {
      if (BUILTIN.has(program)) continue;
      expect({
        script: name,
        program,
        installed: existsSync(path.join(root, 'node_modules/.bin', program)),
      }).toEqual({ script: name, program, installed: true });
    }
    for (const ref of command.match(/npm run ([\w:-]+)/g) ?? []) {
      expect(Object.keys(pkg.scripts)).toContain(ref.replace('npm run ', ''));
    }
  });

  test('the entry-file reader finds what a dead script would point at', () => {
    expect(entryFiles('tsx model/cli/drift.ts')).toEqual(['model/cli/drift.ts']);
    expect(entryFiles('node -r ./scripts/register-ts.cjs main.ts')).toEqual([
      './scripts/register-ts.cjs',
      'main.ts',
    ]);
    expect(entryFiles('CHECKPOINT_DISABLE=1 cdktf diff')).toEqual([]);
    expect(existsSync(path.join(root, 'model/cli/no-such-file.ts'))).toBe(false);
  });
});
