/**
 * The scoring image's build context writer used by the stacks: service/bundle.ts (esbuild, ~1 s)
 * runs once per source version, not once per synth (stacks/bundle-cache.ts), and every stack
 * copies the same files, so the environments get the same image hash.
 */
import type { BuildContextWriter } from '../constructs/serving/scoring-image';
import { bundleServiceSync } from '../service/bundle';
import { cachedBundle, copyBundle } from './bundle-cache';

let bundle: ReturnType<typeof cachedBundle> | undefined;

export const writeServiceBuildContext: BuildContextWriter = ({ outDir }) => {
  // service/ imports model/{schema,features,package,explain,runtime} and util/ (lint-enforced).
  bundle ??= cachedBundle({
    name: 'service',
    sourceDirs: ['service', 'model', 'util'],
    options: { entry: 'service/main.ts' },
    build: (dir) => bundleServiceSync({ outDir: dir }).files,
  });
  return { files: copyBundle(bundle, outDir) };
};
