/**
 * Container entry (bundled to server.js by bundle.ts): serve as configured by the environment.
 * The ORT worker thread runs this same file (one file in the image); it only scores.
 */
import './scoring/ort-no-telemetry'; // first: before anything loads onnxruntime-node
import { isOrtWorker, runOrtWorker } from './scoring/ort-worker';
import { runServer } from './server';

if (isOrtWorker()) {
  runOrtWorker();
} else {
  runServer(process.env).catch((err: unknown) => {
    process.stdout.write(
      `${JSON.stringify({ ts: new Date().toISOString(), level: 'error', msg: 'startup failed', err: String(err) })}\n`,
    );
    process.exit(1);
  });
}
