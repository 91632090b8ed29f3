import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildApp } from '../../stacks/app';
import { ENVIRONMENTS } from '../../stacks/environments';

describe('buildApp', () => {
  test('one stack per environment, synthesized into the outdir', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'fraud-synth-'));
    try {
      const { app, stacks } = buildApp({ outdir });
      expect(stacks.map((s) => s.node.id)).toEqual(['fraud-dev', 'fraud-staging', 'fraud-prod']);
      app.synth();
      for (const name of ['fraud-dev', 'fraud-staging', 'fraud-prod']) {
        expect(fs.existsSync(path.join(outdir, 'stacks', name, 'cdk.tf.json'))).toBe(true);
      }
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  test('invalid settings fail before any stack is built, listing every problem', () => {
    expect(() =>
      buildApp({
        environments: {
          ...ENVIRONMENTS,
          dev: { ...ENVIRONMENTS.dev, namePrefix: 'X' },
          prod: { ...ENVIRONMENTS.prod, storageReplication: 'LRS' },
        },
      }),
    ).toThrow(/2 problem\(s\)[\s\S]*dev.namePrefix = "X"[\s\S]*prod.storageReplication = "LRS"/);
  });
});
