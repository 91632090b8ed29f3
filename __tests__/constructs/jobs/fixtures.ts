/**
 * Fixed synth-time writers for stack and construct tests: the snapshots stay independent of
 * model/ source changes (the real trainer bundle is exercised in __tests__/stacks/jobs.test.ts
 * and by the model side's local job test).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CodeWriter } from '../../../constructs/jobs';
import type { BuildContextWriter } from '../../../constructs/serving/scoring-image';

export const fixedTrainerCode: CodeWriter = ({ outDir }) => {
  writeFileSync(path.join(outDir, 'train.cjs'), "console.log('trainer fixture');\n");
  return { files: ['train.cjs'] };
};

export const fixedJobImageContext: BuildContextWriter = ({ outDir }) => {
  writeFileSync(path.join(outDir, 'Dockerfile'), 'FROM node:20.20.2-bookworm-slim\n');
  return { files: ['Dockerfile'] };
};
