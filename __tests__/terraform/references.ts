/**
 * Terraform wants static references (bare traversals) in `depends_on`,
 * `lifecycle.replace_triggered_by` and `moved.from/to`; in JSON syntax a `"${...}"` template there
 * fails while Terraform loads the configuration ("Invalid expression").
 * https://developer.hashicorp.com/terraform/language/syntax/json#depends_on ,
 * https://developer.hashicorp.com/terraform/language/meta-arguments/lifecycle#replace_triggered_by
 * (PITFALLS.md §8). Each reference must also name a block that exists in the same stack.
 */
import { allBlocks, TerraformJson } from './synthesized-stacks';

const TRAVERSAL = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*|\[\d+\])*$/;

/** `data.t.n.attr` -> `data.t.n`; `t.n[0].attr` -> `t.n`. */
function addressOf(reference: string): string {
  const parts = reference.replace(/\[\d+\]/g, '').split('.');
  return (parts[0] === 'data' || parts[0] === 'ephemeral' ? parts.slice(0, 3) : parts.slice(0, 2)).join('.');
}

/** Problems with the static references of one stack; empty when all are bare and resolve. */
export function referenceProblems(parsed: TerraformJson): string[] {
  const known = new Set([...allBlocks(parsed)].map((b) => b.address));
  const problems: string[] = [];
  const check = (where: string, reference: unknown) => {
    if (typeof reference !== 'string' || !TRAVERSAL.test(reference)) {
      problems.push(
        `${where}: ${JSON.stringify(reference)} is not a bare reference such as "terraform_data.x"`,
      );
    } else if (!known.has(addressOf(reference))) {
      problems.push(`${where}: ${reference} names no block of this stack`);
    }
  };
  for (const { address, block } of allBlocks(parsed)) {
    for (const ref of (block.depends_on as unknown[] | undefined) ?? []) check(`${address}.depends_on`, ref);
    const lifecycle = block.lifecycle as { replace_triggered_by?: unknown[] } | undefined;
    for (const ref of lifecycle?.replace_triggered_by ?? [])
      check(`${address}.lifecycle.replace_triggered_by`, ref);
  }
  for (const [i, moved] of (parsed.moved ?? []).entries()) {
    if (typeof moved.from !== 'string' || !TRAVERSAL.test(moved.from))
      problems.push(`moved[${i}].from: ${JSON.stringify(moved.from)} is not a bare address`);
    check(`moved[${i}].to`, moved.to);
  }
  return problems;
}
