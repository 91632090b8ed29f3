import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * GIVEN a machine with Node but no terraform binary (a laptop, or CI's test job before Terraform
 * is set up)
 * WHEN `npm run synth` runs the app
 * THEN every stack is written: synth needs no terraform. cdktf's DataResource and moveFromId would
 * run `terraform version` at synth and fail here (stacks/moved-resources.ts, constructs/core/terraform-data.ts).
 */
test('npm run synth writes every stack with no terraform on PATH', () => {
  const root = path.resolve(__dirname, '../..');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'synth-no-terraform-'));
  try {
    const bin = path.join(dir, 'bin');
    mkdirSync(bin);
    symlinkSync(process.execPath, path.join(bin, 'node'));
    const res = spawnSync(
      path.join(bin, 'node'),
      ['-r', path.join(root, 'scripts/register-ts.cjs'), path.join(root, 'main.ts')],
      {
        cwd: dir,
        env: { PATH: bin, HOME: dir, TMPDIR: os.tmpdir() },
        encoding: 'utf8',
      },
    );
    expect(res.stderr).not.toMatch(/terraform/i);
    expect(res.status).toBe(0);
    for (const stack of ['fraud-shared', 'fraud-dev', 'fraud-staging', 'fraud-prod']) {
      expect(existsSync(path.join(dir, 'cdktf.out', 'stacks', stack, 'cdk.tf.json'))).toBe(true);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
