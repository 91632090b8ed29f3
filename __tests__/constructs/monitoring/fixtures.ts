/**
 * A fixed drift code writer for stack tests: snapshots stay independent of model/ changes (the
 * real drift bundle is built and run in __tests__/stacks/drift-job.test.ts).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CodeWriter } from '../../../constructs/jobs';

export const fixedDriftCode: CodeWriter = ({ outDir }) => {
  writeFileSync(path.join(outDir, 'drift.cjs'), "console.log('drift fixture');\n");
  return { files: ['drift.cjs'] };
};
