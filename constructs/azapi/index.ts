// Typed binding for the azure/azapi provider (pinned `~> 2.12`, see common.ts for why).
export {
  AZAPI_VERSION_CONSTRAINT,
  bareAddress,
  ML_API_VERSION,
  mlType,
  TERRAFORM_VERSION_CONSTRAINT,
} from './common';
export type { AzapiDataTimeouts, AzapiEphemeralTimeouts, AzapiRetry, AzapiTimeouts } from './common';
export { AzapiProvider } from './provider';
export type { AzapiProviderProps } from './provider';
export { AzapiResource } from './resource';
export type { AzapiIdentity, AzapiResourceProps } from './resource';
export { AzapiUpdateResource } from './update-resource';
export type { AzapiUpdateResourceProps } from './update-resource';
export { AzapiResourceAction } from './resource-action';
export type {
  AzapiActionBaseInputs,
  AzapiActionInputs,
  AzapiHttpMethod,
  AzapiResourceActionProps,
} from './resource-action';
export { DataAzapiResourceAction } from './data-resource-action';
export type { DataAzapiResourceActionProps } from './data-resource-action';
export { DataAzapiResource } from './data-resource';
export type { DataAzapiResourceProps } from './data-resource';
export { EphemeralAzapiResourceAction } from './ephemeral-resource-action';
export type { EphemeralAzapiResourceActionProps } from './ephemeral-resource-action';
