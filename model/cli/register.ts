/**
 * npm run register -- --package models/<name>/<version> [--registry <name> | --env <env>]
 *                     [--subscription <id>] [--resource-group <rg>]
 *
 * Registers a trained model package as an immutable version in the shared Azure ML registry
 * (model/registry/register-package.ts): pending upload, blob upload, version create. Signs in
 * with DefaultAzureCredential (environment, workload identity, managed identity, Azure CLI
 * login, ...); needs no `az` command. Running it again with the same package does nothing and
 * succeeds; a different package under an existing version is refused.
 */
import { loadModelPackage } from '../package/loader';
import { ArmClient } from '../registry/arm-client';
import { registerModelPackage } from '../registry/register-package';
import { RegistryApi, type RegistryTarget } from '../registry/registry-api';
import { resolveRegistryTarget } from '../registry/target';
import { parseCliArgs, runCli, stringOption, UsageError } from './args';

const USAGE = `usage: npm run register -- --package models/<name>/<version> [options]
  --package dir          the model package folder to register (required)
  --registry name        the shared Azure ML registry's name
  --env env              dev | staging | prod: the registry from FRAUD_<ENV>_REGISTRY_NAME or
                         FRAUD_REGISTRY_NAME (one of --registry / --env is required)
  --subscription id      default: FRAUD_<ENV>_SUBSCRIPTION_ID (with --env), else AZURE_SUBSCRIPTION_ID
  --resource-group rg    default: found by looking the registry up in the subscription
Credentials: DefaultAzureCredential (e.g. AZURE_CLIENT_ID/AZURE_TENANT_ID + a secret or federated
token, a managed identity, or an Azure CLI / azd login).`;

async function main(): Promise<void> {
  const values = parseCliArgs(process.argv.slice(2), {
    package: { type: 'string' },
    registry: { type: 'string' },
    env: { type: 'string' },
    subscription: { type: 'string' },
    'resource-group': { type: 'string' },
    help: { type: 'boolean' },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const packageDir = stringOption(values, 'package');
  if (!packageDir) throw new UsageError('--package is required');
  let partial;
  try {
    partial = resolveRegistryTarget(
      {
        registry: stringOption(values, 'registry'),
        env: stringOption(values, 'env'),
        subscription: stringOption(values, 'subscription'),
        resourceGroup: stringOption(values, 'resource-group'),
      },
      process.env,
    );
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  loadModelPackage(packageDir); // a bad package fails here, before any sign-in or network call
  // Loaded only now: @azure/identity (with MSAL) takes seconds to load, and bad input should not wait.
  const { DefaultAzureCredential } = await import('@azure/identity');
  const api = new RegistryApi(new ArmClient({ credential: new DefaultAzureCredential() }));
  const target: RegistryTarget =
    partial.resourceGroup !== undefined
      ? { ...partial, resourceGroup: partial.resourceGroup }
      : await api.findRegistry(partial.subscriptionId, partial.registryName);
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const r = await registerModelPackage({ packageDir, target, api, log });
  const lines = [
    r.outcome === 'created'
      ? `registered ${r.name}:${r.version}`
      : `${r.name}:${r.version} was already registered`,
    `  asset     ${r.assetId}`,
    `  content   sha256 ${r.contentSha256}`,
    ...(r.modelUri ? [`  files     ${r.modelUri}`] : []),
    `  next      use '${r.name}:${r.version}' for a deployment in stacks/rollout.ts (docs/lifecycle.md)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

runCli(main, USAGE);
