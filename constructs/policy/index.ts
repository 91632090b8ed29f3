export { PolicyAspect, PolicyViolationError } from './policy';
export type { PolicyRule } from './policy';
export {
  SECURITY_RULES,
  containerRegistryRule,
  keyVaultSecurityRule,
  requiredTagsRule,
  storageSecurityRule,
  workspaceIdentityRule,
} from './rules';
export { TagsAspect } from './tags';
