/**
 * The cdktf app entry (`cdktf.json` runs `npx tsx main.ts`). The only file that reads
 * `process.env`: remote state is configured from TF_STATE_* variables (see stacks/backend.ts
 * and docs/infra.md); without them every stack uses local state. No network, no account.
 */
import { buildApp } from './stacks/app';
import { stateBackendFromEnv } from './stacks/backend';

const { app } = buildApp({ backend: stateBackendFromEnv(process.env) });
app.synth();
