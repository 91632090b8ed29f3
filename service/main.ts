/**
 * Container entry (bundled to server.js by bundle.ts): serve as configured by the environment.
 * The ORT worker thread and the probe thread run this same file (one file in the image); they
 * only score, or only answer probes.
 */
import './scoring/ort-no-telemetry'; // first: before anything loads onnxruntime-node
import { isProbeWorker, runProbeWorker } from './probes/probe-worker';
import { isOrtWorker, runOrtWorker } from './scoring/ort-worker';
import { runServer } from './server';

if (isOrtWorker()) {
  runOrtWorker();
} else if (isProbeWorker()) {
  runProbeWorker();
} else {
  runServer(process.env).catch((err: unknown) => {
    process.stdout.write(
      `${JSON.stringify({ ts: new Date().toISOString(), level: 'error', msg: 'startup failed', err: String(err) })}\n`,
    );
    process.exit(1);
  });
}
