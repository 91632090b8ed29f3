/**
 * `npm run names -- <registry | workspace | resource-group | endpoint> [--env <env>]`
 *
 * Prints the deterministic Azure name of a resource, computed from the typed settings exactly as
 * synth computes it (no account, no state), so scripts and workflows never copy names by hand:
 *   npm run register -- --package models/fraud-detection-model/7 --registry "$(npm run --silent names -- registry)"
 */
import { parseArgs } from 'node:util';
import { platformNames } from '../constructs/core/naming';
import { ENVIRONMENTS, type EnvironmentConfig, type EnvName } from '../stacks/environments';
import { sharedRegistryName } from '../stacks/shared-stack';

const KINDS = ['registry', 'workspace', 'resource-group', 'endpoint'] as const;
type Kind = (typeof KINDS)[number];
const USAGE = `usage: npm run names -- <${KINDS.join(' | ')}> [--env <${Object.keys(ENVIRONMENTS).join(' | ')}>]`;

/** The name of `kind`; `env` is required for everything but the shared registry. */
export function resourceName(kind: Kind, env?: string): string {
  if (kind === 'registry') return sharedRegistryName();
  if (env === undefined || !(env in ENVIRONMENTS)) {
    throw new Error(
      `'${kind}' needs --env, one of ${Object.keys(ENVIRONMENTS).join(', ')}; got ${JSON.stringify(env ?? null)}`,
    );
  }
  const cfg: EnvironmentConfig = ENVIRONMENTS[env as EnvName];
  const names = platformNames({ project: cfg.namePrefix, env, salt: cfg.salt });
  if (kind === 'workspace') return names.workspace;
  if (kind === 'resource-group') return names.resourceGroup;
  // The endpoint name as FraudStack builds it (`<prefix>-<env>-<hash>`).
  return `${cfg.namePrefix}-${env}-${names.hash}`;
}

export function runNamesCli(
  argv: readonly string[],
  out: (s: string) => void,
  err: (s: string) => void,
): number {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { env: { type: 'string' } },
    });
    const kind = positionals[0] as Kind;
    if (positionals.length !== 1 || !KINDS.includes(kind)) {
      err(`expected one of ${KINDS.join(', ')}\n${USAGE}`);
      return 2;
    }
    out(resourceName(kind, values.env));
    return 0;
  } catch (e) {
    err(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
}

if (require.main === module) {
  process.exitCode = runNamesCli(
    process.argv.slice(2),
    (s) => console.log(s),
    (s) => console.error(s),
  );
}
