import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const dirs: string[] = [];

/**
 * A fresh temp folder for synth-time staging, removed when the process exits (cdktf copies assets
 * into cdktf.out during synth). One exit listener for all of them: a listener per folder trips
 * Node's MaxListeners warning once a few stacks are synthesized in one process.
 */
export function stagingDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  if (dirs.length === 0) {
    process.once('exit', () => {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    });
  }
  dirs.push(dir);
  return dir;
}
