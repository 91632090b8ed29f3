/** Probe worker entry when running from source (tsx, jest); the bundle uses server.js itself (main.ts). */
import { runProbeWorker } from './probe-worker';

runProbeWorker();
