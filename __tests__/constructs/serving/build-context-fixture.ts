/**
 * A fixed Docker build context for stack tests: keeps the per-environment snapshots independent
 * of service/ source changes (the real bundler is exercised in __tests__/serving).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BuildContextWriter } from '../../../constructs/serving/scoring-image';

export const fixedBuildContext: BuildContextWriter = ({ outDir }) => {
  writeFileSync(
    path.join(outDir, 'Dockerfile'),
    'FROM node:20.20.2-bookworm-slim\nCOPY server.js ./\nCMD ["node", "server.js"]\n',
  );
  writeFileSync(path.join(outDir, 'server.js'), "console.log('fixture');\n");
  return { files: ['Dockerfile', 'server.js'] };
};
