/**
 * Checks on every synthesized stack that Terraform itself would make: static references
 * (this file), the azapi provider schema, and Terraform's own config loader.
 */
import { referenceProblems } from './references';
import { synthesizeAllStacks } from './synthesized-stacks';

const stacks = synthesizeAllStacks();

describe.each(stacks.map((s) => [s.name, s] as const))('%s', (_name, stack) => {
  test('depends_on, replace_triggered_by and moved use bare references to blocks that exist', () => {
    expect(referenceProblems(stack.parsed)).toEqual([]);
  });
});

describe('referenceProblems', () => {
  test('rejects an interpolated or dangling reference', () => {
    expect(
      referenceProblems({
        resource: {
          terraform_data: { g: {} },
          azapi_resource_action: {
            a: {
              lifecycle: { replace_triggered_by: ['${terraform_data.g}'] },
              depends_on: ['terraform_data.h'],
            },
          },
        },
        ephemeral: { azapi_resource_action: { k: { depends_on: ['azapi_resource_action.a'] } } },
      }),
    ).toEqual([
      'azapi_resource_action.a.depends_on: terraform_data.h names no block of this stack',
      'azapi_resource_action.a.lifecycle.replace_triggered_by: "${terraform_data.g}" is not a bare reference such as "terraform_data.x"',
    ]);
  });
});
