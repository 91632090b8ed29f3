import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sharedCopyProblems, VENDORED_COPIES } from '../../scripts/check-shared';

const root = path.resolve(__dirname, '../..');

describe('npm run check:shared', () => {
  let shared: string;
  beforeEach(() => {
    // A stand-in reference folder made from the vendored files: the check must pass on it...
    shared = mkdtempSync(path.join(os.tmpdir(), 'shared-'));
    for (const [vendored, reference] of Object.entries(VENDORED_COPIES)) {
      mkdirSync(path.dirname(path.join(shared, reference)), { recursive: true });
      copyFileSync(path.join(root, vendored), path.join(shared, reference));
    }
  });
  afterEach(() => rmSync(shared, { recursive: true, force: true }));

  test('passes when every vendored copy matches', () => {
    expect(sharedCopyProblems(root, shared)).toEqual([]);
  });

  test('names a copy that differs by one byte or is missing', () => {
    const [vendored, reference] = Object.entries(VENDORED_COPIES)[0] as [string, string];
    writeFileSync(path.join(shared, reference), 'x');
    const [other, otherRef] = Object.entries(VENDORED_COPIES)[1] as [string, string];
    rmSync(path.join(shared, otherRef));
    expect(sharedCopyProblems(root, shared)).toEqual([
      `${vendored}: differs from ${path.join(shared, reference)}; copy the reference file over it`,
      `${other}: no reference copy at ${path.join(shared, otherRef)}`,
    ]);
  });
});
