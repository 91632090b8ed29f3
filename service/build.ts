/**
 * `npm run build:service [-- --out dist/service] [--minify]`: writes the scoring image's Docker
 * build context (see bundle.ts). Then, where Docker exists: `docker build -t fraud-scoring dist/service`.
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { bundleServiceSync } from './bundle';

const { values } = parseArgs({
  options: { out: { type: 'string', default: 'dist/service' }, minify: { type: 'boolean', default: false } },
});
const outDir = path.resolve(values.out ?? 'dist/service');
const t0 = performance.now();
const { files } = bundleServiceSync({ outDir, minify: values.minify });
console.log(
  `wrote ${files.length} files to ${outDir} in ${Math.round(performance.now() - t0)} ms: ${files.join(', ')}`,
);
console.log(
  `next (needs Docker): docker build -t fraud-scoring ${path.relative(process.cwd(), outDir) || '.'}`,
);
