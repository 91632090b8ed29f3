import * as fs from 'node:fs';
import { removeStagingDirs, stagingDir } from '../../../constructs/core/staging-dir';

test('staging folders are made fresh and removed together, with one exit hook for all of them', () => {
  const hooks = process.listenerCount('exit');
  const a = stagingDir('fraud-staging-test-');
  const b = stagingDir('fraud-staging-test-');
  expect(a).not.toBe(b);
  fs.writeFileSync(`${a}/file`, 'x');
  expect(fs.existsSync(a) && fs.existsSync(b)).toBe(true);
  expect(process.listenerCount('exit') - hooks).toBeLessThanOrEqual(1);
  removeStagingDirs();
  expect([fs.existsSync(a), fs.existsSync(b)]).toEqual([false, false]);
  removeStagingDirs(); // nothing left: a no-op
});
