/**
 * cdktf's `Testing.app()` (also behind `Testing.synthScope`) and `Testing.fullSynth()` make a fresh
 * `cdktf.outdir.*` folder in the temp dir on every call and never remove it: thousands piled up in
 * /tmp after a few test runs. The jest setup (__tests__/setup.ts) tracks the folders they make for
 * the current test file and removes exactly those after it, so a concurrent test run keeps its
 * own folders, and a folder a test passes itself (`Testing.app({ outdir })`) stays the test's.
 */
import { Testing } from 'cdktf';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TestingOutdirs {
  /** The folders made since tracking started, not yet removed. */
  readonly created: readonly string[];
  /** Removes every tracked folder. */
  cleanup(): void;
  /** Puts cdktf's own `Testing.app` and `Testing.fullSynth` back. */
  restore(): void;
}

/** Makes `Testing.app()` and `Testing.fullSynth()` record the temp folders they create. */
export function trackTestingOutdirs(): TestingOutdirs {
  const created: string[] = [];
  const app = Testing.app.bind(Testing);
  const fullSynth = Testing.fullSynth.bind(Testing);
  Testing.app = (options = {}) => {
    if (options.outdir) return app(options);
    // The same folder cdktf would make, made here so it is known.
    const outdir = mkdtempSync(path.join(os.tmpdir(), 'cdktf.outdir.'));
    created.push(outdir);
    return app({ ...options, outdir });
  };
  Testing.fullSynth = (stack) => {
    const outdir = fullSynth(stack);
    created.push(outdir);
    return outdir;
  };
  return {
    created,
    cleanup(): void {
      for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
    restore(): void {
      Testing.app = app;
      Testing.fullSynth = fullSynth;
    },
  };
}
