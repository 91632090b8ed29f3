/**
 * Child process of log-analytics.test.ts (NODE_EXTRA_CA_CERTS must be set at process start):
 * runs the real LogsQueryClient against the local HTTPS query endpoint given in argv and prints
 * what the drift and canary sources made of the answers, as one JSON line.
 */
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { LogAnalyticsCanarySource } from '../../../model/canary/log-analytics-source';
import {
  currentFromDriftWindows,
  driftWindowKql,
  logAnalyticsQuery,
} from '../../../model/drift/sources/log-analytics';
import type { ModelManifest } from '../../../model/package/manifest';
import * as fs from 'node:fs';

/** A fixed bearer token: the local endpoint checks it arrives; no identity provider is involved. */
const credential: TokenCredential = {
  getToken: async (): Promise<AccessToken> => ({
    token: 'test-token',
    expiresOnTimestamp: Date.now() + 3_600_000,
  }),
};

async function main(): Promise<void> {
  const [endpoint, manifestPath] = process.argv.slice(2);
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as ModelManifest;
  const query = logAnalyticsQuery({
    workspaceId: '00000000-0000-0000-0000-00000000abcd',
    endpoint,
    credential,
  });
  const window = { start: new Date('2026-01-01T00:00:00Z'), end: new Date('2026-01-02T00:00:00Z') };
  const rows = await query(driftWindowKql(`${manifest.name}:${manifest.version}`), window);
  const current = currentFromDriftWindows(rows, manifest, window, 'log-analytics:test');
  const canary = new LogAnalyticsCanarySource(query, 'fraud-endpoint', 'test');
  const data = await canary.load(window, ['blue', 'green']);
  process.stdout.write(
    `${JSON.stringify({ current, canary: Object.fromEntries([...data].map(([k, v]) => [k, { ...v, scores: Array.from(v.scores ?? []) }])) })}\n`,
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`${String(e)}\n`);
  process.exitCode = 1;
});
