/**
 * Writes the scoring image's complete Docker build context into a folder:
 *   server.js          the esbuild bundle of service/main.ts (Express and model code inlined)
 *   Dockerfile         service/Dockerfile
 *   package.json       service/runtime/package.json: only the externals below, exact versions
 *   package-lock.json  service/runtime/package-lock.json (npm ci in the image)
 *   .dockerignore
 *
 * Synchronous and fast (esbuild buildSync, ~100 ms) because the infrastructure code calls it at
 * synth time to produce the scoring-image asset; the asset hash then changes only when the
 * service, the model code it imports, or the runtime dependencies change.
 */
import { buildSync } from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Left out of the bundle and installed in the image instead:
 * - onnxruntime-node loads its native `.node` binding by a runtime-computed path
 *   (`../bin/napi-v6/<platform>/<arch>/...`), which a bundler cannot follow;
 * - applicationinsights instruments modules through require hooks and requires many
 *   OpenTelemetry packages dynamically, so it must stay a real node_modules tree;
 * - @azure/identity is a dependency of applicationinsights as well: keeping it external means
 *   one copy, the one the exporter was tested with.
 */
export const SERVICE_EXTERNALS = ['onnxruntime-node', 'applicationinsights', '@azure/identity'] as const;

export interface BundleServiceOptions {
  /** Folder to write the build context into (created; existing files with the same names are replaced). */
  readonly outDir: string;
  /** Minify server.js. @default false (readable stack traces in container logs) */
  readonly minify?: boolean;
}

export interface BundleServiceResult {
  /** Files written, relative to outDir, sorted. */
  readonly files: string[];
}

const SERVICE_DIR = __dirname;
const FILES_COPIED: readonly (readonly [from: string, to: string])[] = [
  ['Dockerfile', 'Dockerfile'],
  ['runtime/package.json', 'package.json'],
  ['runtime/package-lock.json', 'package-lock.json'],
];
const DOCKERIGNORE = '*\n!server.js\n!package.json\n!package-lock.json\n';

export function bundleServiceSync(options: BundleServiceOptions): BundleServiceResult {
  const outDir = path.resolve(options.outDir);
  fs.mkdirSync(outDir, { recursive: true });
  const result = buildSync({
    entryPoints: [path.join(SERVICE_DIR, 'main.ts')],
    outfile: path.join(outDir, 'server.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: [...SERVICE_EXTERNALS],
    minify: options.minify ?? false,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'silent',
    // Deterministic output: the asset hash must not change between identical builds.
    metafile: false,
  });
  if (result.errors.length > 0) {
    throw new Error(`esbuild failed: ${result.errors.map((e) => e.text).join('; ')}`);
  }
  for (const [from, to] of FILES_COPIED) fs.copyFileSync(path.join(SERVICE_DIR, from), path.join(outDir, to));
  fs.writeFileSync(path.join(outDir, '.dockerignore'), DOCKERIGNORE);
  return { files: ['.dockerignore', 'Dockerfile', 'package-lock.json', 'package.json', 'server.js'] };
}
