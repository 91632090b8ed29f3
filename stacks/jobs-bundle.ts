/**
 * The jobs' synth-time writers used by the stacks:
 * - the training code asset: model/jobs/trainer-bundle.ts (esbuild bundle of the train CLI,
 *   `train.cjs`), bundled once per source version and copied for every environment, so the three
 *   environments get the same code version (its content hash) from one ~0.3 s bundle;
 * - the job image's Docker build context: a Dockerfile for a pinned Node 20 image (the same
 *   base as the scoring image, service/Dockerfile). The job code arrives as the code asset, so
 *   the image is only the runtime: a change of the trainer never rebuilds the image.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CodeWriter } from '../constructs/jobs';
import type { BuildContextWriter } from '../constructs/serving/scoring-image';
import { bundleTrainerSync } from '../model/jobs';
import { cachedBundle, copyBundle } from './bundle-cache';

let trainer: ReturnType<typeof cachedBundle> | undefined;

export const writeTrainerCode: CodeWriter = ({ outDir }) => {
  // Cached per source version across processes (stacks/bundle-cache.ts); the trainer imports
  // only model/ and util/ (lint-enforced).
  trainer ??= cachedBundle({
    name: 'trainer',
    sourceDirs: ['model', 'util'],
    options: { entry: 'model/cli/train.ts' },
    build: (dir) => bundleTrainerSync({ outDir: dir }).files,
  });
  return { files: copyBundle(trainer, outDir), assetHash: trainer.assetHash };
};

/**
 * The job image's Dockerfile. Debian slim (glibc) and the same pinned Node 20 as the scoring
 * image. It stays root: Azure ML mounts job inputs and outputs into the container and writes
 * outputs as the container's user (UNVERIFIED that a non-root user could write the mounted output
 * folder; root is the safe choice for the job, which runs no network service).
 * ORT_DISABLE_TELEMETRY=1 for any job that loads onnxruntime-node (PITFALLS.md §8).
 */
export const JOB_DOCKERFILE = `# Azure ML job image: Node 20 runtime for the model jobs (code comes from the code asset).
FROM node:20.20.2-bookworm-slim
ENV ORT_DISABLE_TELEMETRY=1 \\
    NODE_ENV=production
WORKDIR /app
CMD ["node", "--version"]
`;

export const writeJobImageContext: BuildContextWriter = ({ outDir }) => {
  writeFileSync(path.join(outDir, 'Dockerfile'), JOB_DOCKERFILE);
  writeFileSync(path.join(outDir, '.dockerignore'), '*\n!Dockerfile\n');
  return { files: ['.dockerignore', 'Dockerfile'] };
};
