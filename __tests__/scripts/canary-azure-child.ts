/**
 * Child process of canary-azure.test.ts (NODE_EXTRA_CA_CERTS must be set at process start): runs
 * `canary analyze --env dev --subscription ...` (real LogsQueryClient, resource-centric query) and
 * then `canary notify` (ARM GET of the Application Insights component, real SDK export) against the
 * local HTTPS endpoint in argv, and prints both results as one JSON line.
 */
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { runCanaryCli } from '../../scripts/canary';

/** A fixed bearer token: the local endpoint checks it arrives; no identity provider is involved. */
const credential: TokenCredential = {
  getToken: async (): Promise<AccessToken> => ({
    token: 'test-token',
    expiresOnTimestamp: Date.now() + 3_600_000,
  }),
};

async function main(): Promise<void> {
  const [base, root, subscription] = process.argv.slice(2);
  const run = async (args: string[]) => {
    let out = '';
    let err = '';
    const code = await runCanaryCli(args, {
      out: (t) => (out += `${t}\n`),
      err: (t) => (err += `${t}\n`),
      cwd: root,
      env: { LOG_ANALYTICS_ENDPOINT: `${base}/v1` },
      now: new Date('2026-01-01T01:00:00Z'),
      azure: { credential, armEndpoint: base },
    });
    return { code, out, err };
  };
  const analyze = await run([
    'analyze',
    '--env',
    'dev',
    '--subscription',
    subscription,
    '--json',
    'canary.json',
  ]);
  const notify = await run([
    'notify',
    '--env',
    'dev',
    '--subscription',
    subscription,
    '--verdict-file',
    'canary.json',
  ]);
  process.stdout.write(`${JSON.stringify({ analyze, notify })}\n`, () => process.exit(0));
}

void main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`, () => process.exit(3));
});
