/** Jobs: the compute cluster, job image, code and data assets, command jobs and their schedules. */
export * from './code-asset';
export * from './command-job';
export * from './compute-cluster';
export * from './data-asset';
export * from './job-image';
export * from './schedule';
