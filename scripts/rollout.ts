/**
 * `npm run rollout -- status [--base <git-ref>] [--rollback] [--root <dir>]`
 *
 * Prints each environment's traffic split, or with `--base` what changes against that ref,
 * one line per environment (`prod: blue 90 -> 50, green 10 -> 50`). Exits 1, with the reasons
 * on stderr, when the working-tree constants break any rule synth applies (the same rule set,
 * stacks/configuration.ts), when a change removes a deployment that still had traffic in the
 * base, changes a deployment's instanceType in place, takes a live endpoint to notLiveYet, or
 * raises any deployment's live share by more than the environment's maxCanaryStep (`--rollback`
 * confirms a rollback and lifts only that last rule). Exits 2 on a usage error. The PR plan
 * preview runs it with the PR's base.
 */
import { parseArgs } from 'node:util';
import { rolloutRuleProblems } from '../stacks/configuration';
import { ENVIRONMENTS } from '../stacks/environments';
import { describeRollout, diffRollout } from './rollout-diff';
import { rolloutGuards } from './rollout-guards';
import { loadRolloutAtRef, loadWorkingRollout } from './rollout-load';

const USAGE = 'usage: npm run rollout -- status [--base <git-ref>] [--rollback] [--root <project dir>]';

/** Runs the command; returns the exit code. Output goes through the given writers. */
export function runRolloutCli(
  argv: readonly string[],
  out: (line: string) => void,
  err: (line: string) => void,
  cwd: string,
): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        base: { type: 'string' },
        rollback: { type: 'boolean' },
        root: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    err(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    out(USAGE);
    return 0;
  }
  if (positionals.length !== 1 || positionals[0] !== 'status') {
    err(
      `expected the command 'status', got ${positionals.length ? `'${positionals.join(' ')}'` : 'none'}\n${USAGE}`,
    );
    return 2;
  }
  if (values.rollback && values.base === undefined) {
    err(`--rollback needs --base (it confirms a change against that base)\n${USAGE}`);
    return 2;
  }
  const root = values.root ?? cwd;
  try {
    const head = loadWorkingRollout(root);
    const problems = rolloutRuleProblems(head, ENVIRONMENTS);
    if (values.base === undefined) {
      describeRollout(head).forEach(out);
    } else {
      const base = loadRolloutAtRef(root, values.base);
      if (base === undefined) out(`(no stacks/rollout.ts at ${values.base}: every environment is new)`);
      const diff = diffRollout(base, head, rolloutGuards(), { rollback: values.rollback === true });
      diff.lines.forEach(out);
      if (values.rollback) out('(--rollback: the maxCanaryStep limit is not applied to this change)');
      problems.push(...diff.problems);
    }
    if (problems.length > 0) {
      err(`rollout check failed (stacks/rollout.ts), ${problems.length} problem(s):`);
      problems.forEach((p) => err(`  - ${p}`));
      return 1;
    }
    return 0;
  } catch (e) {
    err(`rollout: ${(e as Error).message}`);
    return 1;
  }
}

if (require.main === module) {
  process.exitCode = runRolloutCli(
    process.argv.slice(2),
    (line) => console.log(line),
    (line) => console.error(line),
    process.cwd(),
  );
}
