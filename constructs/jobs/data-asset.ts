/**
 * The training data as an Azure ML data asset: a `uri_file` data version whose URI is a path on
 * a workspace datastore (`workspaces/datastores` + `workspaces/data` + `data/versions`).
 *
 * The datastore points at a container of the workspace storage account with identity-based
 * access (`credentials: None`: no key or SAS is stored in the workspace); the CSV is uploaded to
 * `<container>/<path>` by the ML engineer (docs/lifecycle.md, "Put the training CSV in place").
 * Data versions are immutable: new data is a new version under a new path.
 *
 * Schema: `DataVersionBaseProperties` discriminated by `dataType` (`uri_file` | `uri_folder` |
 * `mltable`), `dataUri` required (schemas/azure-api, 2026-05-01). Job inputs reach the file
 * through the short datastore URI `azureml://datastores/<ds>/paths/<path>` (the form of job
 * inputs; ../shared/azure-api/FACTS.md §2.3, §2.6); the data version carries the long
 * `azureml://subscriptions/.../datastores/<ds>/paths/<path>` form of the REST samples.
 */
import { StorageContainer } from '@cdktf/provider-azurerm/lib/storage-container';
import { Construct } from 'constructs';
import { AzapiResource, mlType } from '../azapi';
import { MlWorkspace } from '../platform/ml-workspace';
import { SecureStorage } from '../platform/storage';

export const DATA_TYPE = mlType('workspaces/data');
export const DATA_VERSION_TYPE = mlType('workspaces/data/versions');
export const JOBS_DATASTORE_TYPE = mlType('workspaces/datastores');

export interface DataAssetProps {
  readonly workspace: MlWorkspace;
  /** The workspace's storage account (holds the data container). */
  readonly storage: SecureStorage;
  /** Subscription of the workspace (for the long datastore URI). */
  readonly subscriptionId: string;
  /** Data asset name, e.g. `fraud-transactions`. */
  readonly name: string;
  /** Data asset version (immutable). */
  readonly version: string;
  /** Path of the file or folder inside the container, e.g. `transactions/1/transactions.csv`. */
  readonly path: string;
  /** @default 'uri_file' */
  readonly dataType?: 'uri_file' | 'uri_folder';
  /** Blob container for the data (created). @default 'training-data' */
  readonly containerName?: string;
  /** Datastore over that container (created). @default 'fraudtraining' */
  readonly datastoreName?: string;
  /** @default - `<name>:<version>` */
  readonly description?: string;
}

const ASSET_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,254}$/;
const VERSION = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/;
const DATA_PATH = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*\/?$/;
const CONTAINER = /^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
const DATASTORE = /^[a-z0-9_]{1,255}$/;

/** Problems with the data asset inputs (pure). */
export function dataAssetErrors(
  props: Pick<DataAssetProps, 'name' | 'version' | 'path' | 'dataType' | 'containerName' | 'datastoreName'>,
): string[] {
  const errors: string[] = [];
  if (!ASSET_NAME.test(props.name)) errors.push(`name '${props.name}' must match ${ASSET_NAME.source}`);
  if (!VERSION.test(props.version)) errors.push(`version '${props.version}' must match ${VERSION.source}`);
  if (!DATA_PATH.test(props.path) || props.path.split('/').includes('..')) {
    errors.push(
      `path '${props.path}' must be a relative blob path of letters, digits, '.', '_', '-' (no '..')`,
    );
  } else if ((props.dataType ?? 'uri_file') === 'uri_file' && props.path.endsWith('/')) {
    errors.push(`path '${props.path}' names a folder but dataType is 'uri_file'`);
  }
  if (props.containerName !== undefined && !CONTAINER.test(props.containerName)) {
    errors.push(
      `containerName '${props.containerName}' must be 3-63 lowercase letters, digits and single '-'`,
    );
  }
  if (props.datastoreName !== undefined && !DATASTORE.test(props.datastoreName)) {
    errors.push(`datastoreName '${props.datastoreName}' must be lowercase letters, digits and '_'`);
  }
  return errors;
}

export class DataAsset extends Construct {
  /** ARM id of the data version. */
  public readonly dataVersionId: string;
  /** `azureml://datastores/<ds>/paths/<path>`: the URI a job input uses. */
  public readonly datastoreUri: string;
  /** Container and blob path to upload the data to. */
  public readonly containerName: string;
  public readonly path: string;
  public readonly assetName: string;
  public readonly version: string;

  constructor(scope: Construct, id: string, props: DataAssetProps) {
    super(scope, id);
    const errors = dataAssetErrors(props);
    if (errors.length > 0) throw new Error(`DataAsset '${this.node.path}':\n- ${errors.join('\n- ')}`);
    const datastoreName = props.datastoreName ?? 'fraudtraining';
    this.containerName = props.containerName ?? 'training-data';
    this.path = props.path;
    this.assetName = props.name;
    this.version = props.version;

    const container = new StorageContainer(this, 'Container', {
      name: this.containerName,
      storageAccountId: props.storage.storageAccountId,
      containerAccessType: 'private',
    });
    const datastore = new AzapiResource(this, 'Datastore', {
      type: JOBS_DATASTORE_TYPE,
      name: datastoreName,
      parentId: props.workspace.workspaceId,
      body: {
        properties: {
          datastoreType: 'AzureBlob',
          accountName: props.storage.storageAccountName,
          containerName: container.name,
          endpoint: 'core.windows.net',
          protocol: 'https',
          // Identity-based access: jobs read with their own identity, nothing secret is stored.
          credentials: { credentialsType: 'None' },
          description: 'Training data of the fraud model (uploaded by the ML engineer)',
        },
      },
    });
    const data = new AzapiResource(this, 'Resource', {
      type: DATA_TYPE,
      name: props.name,
      parentId: props.workspace.workspaceId,
      body: {
        properties: { dataType: props.dataType ?? 'uri_file', description: `${props.name} (training data)` },
      },
    });
    const longUri =
      `azureml://subscriptions/${props.subscriptionId}/resourcegroups/${props.workspace.resourceGroupName}` +
      `/workspaces/${props.workspace.workspaceName}/datastores/${datastoreName}/paths/${props.path}`;
    const version = new AzapiResource(this, 'Version', {
      type: DATA_VERSION_TYPE,
      name: props.version,
      parentId: data.id,
      body: {
        properties: {
          dataType: props.dataType ?? 'uri_file',
          dataUri: longUri,
          description: props.description ?? `${props.name}:${props.version}`,
        },
      },
      dependsOn: [datastore],
    });
    this.dataVersionId = version.id;
    this.datastoreUri = `azureml://datastores/${datastoreName}/paths/${props.path}`;
  }
}
