/**
 * The cdktf app entry (`npm run synth` runs it directly: `node -r ./scripts/register-ts.cjs main.ts`;
 * `cdktf.json` runs the same command for `cdktf diff`/`deploy`). The only file that reads
 * `process.env`: remote state comes from TF_STATE_* variables (stacks/backend.ts, docs/infra.md);
 * without them every stack uses local state, and every stack but dev then fails at plan unless
 * TF_STATE_ALLOW_LOCAL=1. No network, no account.
 *
 * A configuration problem (stacks/environments.ts, stacks/rollout.ts) prints one message listing
 * every problem, without a stack trace, and exits 1.
 */
import { stateBackendFromEnv } from './stacks/backend';
import { buildApp } from './stacks/app';
import { ConfigurationError } from './stacks/configuration';

function main(): number {
  try {
    const { app } = buildApp({ backend: stateBackendFromEnv(process.env) });
    app.synth();
    return 0;
  } catch (err) {
    // Settings problems are the operator's to fix: the message says what and where, a stack
    // trace would only bury it. Anything else is a bug and keeps its stack.
    if (err instanceof ConfigurationError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
}

process.exitCode = main();
