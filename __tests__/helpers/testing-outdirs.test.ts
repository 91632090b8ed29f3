import { Testing, TerraformStack } from 'cdktf';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { trackTestingOutdirs } from './testing-outdirs';

const outdirsInTmp = (): Set<string> =>
  new Set(
    readdirSync(os.tmpdir())
      .filter((f) => f.startsWith('cdktf.outdir.'))
      .map((f) => path.join(os.tmpdir(), f)),
  );

/**
 * GIVEN tests that build apps with Testing.app(), Testing.synthScope() and Testing.fullSynth()
 * WHEN the test file ends (the jest setup calls cleanup)
 * THEN every cdktf.outdir.* folder they made is gone, and none made by anyone else is touched.
 */
describe('the cdktf.outdir.* folders of a test file', () => {
  test('are tracked and removed, and only those', () => {
    const tracked = trackTestingOutdirs();
    // Another test run's folder, made the way cdktf makes them.
    const foreign = mkdtempSync(path.join(os.tmpdir(), 'cdktf.outdir.'));
    try {
      const app = Testing.app();
      Testing.synthScope((scope) => new TerraformStack(scope, 'inner'));
      const full = Testing.fullSynth(new TerraformStack(Testing.app(), 'full'));
      const mine = Testing.app({ outdir: path.join(os.tmpdir(), `own-outdir-${process.pid}`) });

      // Other test runs may make folders meanwhile: only this tracker's are checked.
      const made = [...tracked.created];
      expect(made).toEqual(expect.arrayContaining([app.outdir, full]));
      for (const d of made) expect(outdirsInTmp().has(d)).toBe(true);
      expect(made).toHaveLength(4); // app, synthScope's app, fullSynth's app and its outdir
      expect(made).not.toContain(mine.outdir);

      tracked.cleanup();
      expect(tracked.created).toEqual([]);
      for (const d of made) expect(existsSync(d)).toBe(false);
      expect(existsSync(foreign)).toBe(true);
      expect(existsSync(mine.outdir)).toBe(true);
      rmSync(mine.outdir, { recursive: true, force: true });
    } finally {
      tracked.restore();
      tracked.cleanup();
      rmSync(foreign, { recursive: true, force: true });
    }
  });
});
