/**
 * The scoring image's build context writer used by the stacks: service/bundle.ts runs once per
 * process (esbuild, ~1 s) and later stacks copy the same files, so synthesizing three
 * environments bundles once and every environment gets the same image hash.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BuildContextWriter } from '../constructs/serving/scoring-image';
import { bundleServiceSync } from '../service/bundle';

let cached: { readonly dir: string; readonly files: readonly string[] } | undefined;

export const writeServiceBuildContext: BuildContextWriter = ({ outDir }) => {
  if (!cached) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fraud-service-bundle-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    cached = { dir, files: bundleServiceSync({ outDir: dir }).files };
  }
  for (const file of cached.files) copyFileSync(path.join(cached.dir, file), path.join(outDir, file));
  return { files: [...cached.files] };
};
