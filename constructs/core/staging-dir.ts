import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Staging folders this module instance made and has not removed yet. */
const dirs: string[] = [];
let exitHook = false;

/**
 * A fresh temp folder for synth-time staging (cdktf copies assets into cdktf.out during synth,
 * so the folder is only needed until the process ends), removed when the process exits. One
 * exit listener for all of them: a listener per folder trips Node's MaxListeners warning once a
 * few stacks are synthesized in one process. Used by every construct that stages files (code
 * assets, the scoring and job image contexts).
 */
export function stagingDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  if (!exitHook) {
    exitHook = true;
    process.once('exit', removeStagingDirs);
  }
  dirs.push(dir);
  return dir;
}

/**
 * Removes every staging folder made so far. The exit hook calls it; so does the jest setup
 * after each test file, because jest ends its worker processes without an 'exit' event, and
 * thousands of folders piled up in the temp dir across test runs.
 */
export function removeStagingDirs(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}
