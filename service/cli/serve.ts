/**
 * `npm run serve`: serve an existing model package exactly as the container does (same
 * runServer, same environment variables: MODEL_DIR or AZUREML_MODEL_DIR, PORT, HOST,
 * DEPLOYMENT_NAME, ...; see docs/service.md). Nothing is trained here.
 */
import '../scoring/ort-no-telemetry'; // first: before anything loads onnxruntime-node
import { runServer } from '../server';

runServer(process.env).catch((err: unknown) => {
  // One JSON line, like every other line the service writes.
  process.stdout.write(
    `${JSON.stringify({ ts: new Date().toISOString(), level: 'error', msg: 'startup failed', err: String(err) })}\n`,
  );
  process.exit(1);
});
