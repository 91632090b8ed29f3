/**
 * A minimal TypeScript loader for the cdktf app (`node -r ./scripts/register-ts.cjs main.ts`).
 * tsx costs ~0.4 s of start-up per synth; esbuild's synchronous transform of the few project
 * files costs a few milliseconds. Type errors are the job of `npm run typecheck`, not of synth.
 */
const fs = require('node:fs');
const { transformSync } = require('esbuild');

require.extensions['.ts'] = function compileTs(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const { code } = transformSync(source, {
    loader: 'ts',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    sourcefile: filename,
  });
  module._compile(code, filename);
};
