/** Container entry (bundled to server.js by bundle.ts): serve as configured by the environment. */
import { runServer } from './server';

runServer(process.env).catch((err: unknown) => {
  process.stdout.write(
    `${JSON.stringify({ ts: new Date().toISOString(), level: 'error', msg: 'startup failed', err: String(err) })}\n`,
  );
  process.exit(1);
});
