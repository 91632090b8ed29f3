import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';

/** Inputs every platform construct takes. */
export interface PlatformResourceProps {
  /** The environment's resource group. */
  readonly resourceGroup: ResourceGroup;
  /** The resource name (see naming.ts; checked against Azure's rule). */
  readonly name: string;
  /** @default - the resource group's location */
  readonly location?: string;
  /** Extra tags; the stack's tagging Aspect adds the required ones. @default - none */
  readonly tags?: Record<string, string>;
}

/**
 * `prevent_destroy` for stateful resources. Terraform refuses any plan that would delete them;
 * to retire an environment on purpose, set `protectStatefulResources: false` first.
 */
export interface StatefulResourceProps {
  /** @default true */
  readonly preventDestroy?: boolean;
}
