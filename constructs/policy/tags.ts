import { IAspect } from 'cdktf';
import { IConstruct } from 'constructs';
import { hasTags } from './rules';

/**
 * Adds the required tags to every azurerm resource that takes `tags`. The required values win
 * over a resource's own tags with the same key, so an environment tag cannot be mislabelled.
 * azapi resources are tagged explicitly by their constructs (proxy types reject `tags`).
 */
export class TagsAspect implements IAspect {
  constructor(private readonly tags: Readonly<Record<string, string>>) {}

  public visit(node: IConstruct): void {
    if (!hasTags(node)) return;
    node.tags = { ...(node.tagsInput ?? {}), ...this.tags };
  }
}
