/**
 * Memory settings of the scoring container, read by the service bench so that it measures the
 * process the image runs; service/Dockerfile sets the same values in its ENV (a test holds the two
 * together). Both must be in the environment before the process starts: glibc reads
 * MALLOC_ARENA_MAX when it initialises, and V8 sizes its young generation at start.
 *
 * Why (issue 4's budget: RSS under load <= 200 MB). Measured on the 2-core bench machine with the
 * bundled server.js, 3 interleaved rounds of 1,000-row batches then single rows (the figures are
 * in docs/service.md, "Memory"):
 * - MALLOC_ARENA_MAX=2: the main thread, the ORT worker and the probe thread each got a glibc
 *   arena of their own by default; two arenas hold about 10 MB less at peak (RSS max 191-204
 *   against 207-214 MB), with the same throughput.
 * - --max-semi-space-size=8 (MB): V8 keeps up to 2 x 16 MB of young generation at Node 20's
 *   default, filled by every 1,000-row request's parse; 8 MB halves that (with the arena setting:
 *   RSS max 182-190 MB) at the price of more frequent scavenges, about 8-10 % of batch and
 *   single-row throughput. Memory is the container's hard limit (an OOM kill), throughput is
 *   bought with instances, so the image takes the smaller heap; a deployment can set NODE_OPTIONS
 *   to override it.
 */
export const IMAGE_MEMORY_ENV: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: '2',
  NODE_OPTIONS: '--max-semi-space-size=8',
};
