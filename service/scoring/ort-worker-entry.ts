/** Worker entry when running from source (tsx, jest); the bundle uses server.js itself (main.ts). */
import './ort-no-telemetry';
import { runOrtWorker } from './ort-worker';

runOrtWorker();
