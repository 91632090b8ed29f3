/**
 * Synth-time policies: cdktf Aspects that inspect every construct of a stack and fail synth
 * with a named message when a security rule is broken, before any plan runs.
 */
import { IAspect, TerraformResource } from 'cdktf';
import { IConstruct } from 'constructs';

/** One rule: returns the violations of `node` (empty when compliant or not applicable). */
export interface PolicyRule {
  /** Stable, kebab-case rule name shown in errors, e.g. `storage-min-tls`. */
  readonly name: string;
  check(node: IConstruct): string[];
}

/** The error thrown for a policy violation; names the rule, the resource and the problem. */
export class PolicyViolationError extends Error {
  constructor(
    public readonly rule: string,
    public readonly resourcePath: string,
    public readonly violations: readonly string[],
  ) {
    super(`policy '${rule}' failed for ${resourcePath}: ${violations.join('; ')}`);
    this.name = 'PolicyViolationError';
  }
}

/** Runs a set of rules on every construct; the first non-compliant resource fails synth. */
export class PolicyAspect implements IAspect {
  constructor(private readonly rules: readonly PolicyRule[]) {}

  public visit(node: IConstruct): void {
    for (const rule of this.rules) {
      const violations = rule.check(node);
      if (violations.length > 0) {
        const type = node instanceof TerraformResource ? ` (${node.terraformResourceType})` : '';
        throw new PolicyViolationError(rule.name, `${node.node.path}${type}`, violations);
      }
    }
  }
}

/** `value` as given to the resource (an *Input getter): the project's one value formatter. */
export { formatValue as show } from '../core/values';
