/**
 * Loads the rollout constants (`stacks/rollout.ts`) from the working tree or from a git ref.
 *
 * The base version is code from another revision, so it is not `require`d into this process:
 * esbuild strips the types, and the result runs in a fresh `vm` context with no `require`,
 * no `process` and a time limit. rollout.ts is pure data with type-only imports, so that is
 * all it needs; a runtime import is reported as an error naming the module.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { transformSync } from 'esbuild';

/** Path of the rollout constants relative to the project root. */
export const ROLLOUT_FILE = 'stacks/rollout.ts';

/** Evaluates the TypeScript source of a rollout file and returns its `ROLLOUT` export. */
export function evaluateRolloutSource(source: string, label: string): unknown {
  let code: string;
  try {
    code = transformSync(source, { loader: 'ts', format: 'cjs', target: 'node20', sourcefile: label }).code;
  } catch (err) {
    throw new Error(`cannot compile ${label}: ${(err as Error).message}`);
  }
  const module = { exports: {} as Record<string, unknown> };
  const noRequire = (id: string): never => {
    throw new Error(
      `${label} imports '${id}' at run time; the rollout file must be pure data with type-only imports`,
    );
  };
  // The whole module body runs inside runInNewContext so that the time limit covers it.
  const sandbox = Object.assign(Object.create(null) as Record<string, unknown>, {
    module,
    exports: module.exports,
    require: noRequire,
  });
  try {
    vm.runInNewContext(code, sandbox, { filename: label, timeout: 1000 });
  } catch (err) {
    throw new Error(`cannot evaluate ${label}: ${(err as Error).message}`);
  }
  const rollout = module.exports.ROLLOUT;
  if (rollout === undefined) throw new Error(`${label} does not export ROLLOUT`);
  // Copy out of the foreign realm into plain data of this one.
  return JSON.parse(JSON.stringify(rollout)) as unknown;
}

/** The rollout constants in the working tree under `root`. */
export function loadWorkingRollout(root: string): unknown {
  const file = path.join(root, ROLLOUT_FILE);
  return evaluateRolloutSource(readFileSync(file, 'utf8'), file);
}

/**
 * The rollout constants at git `ref`, or undefined when the file did not exist there
 * (then every environment is new). Throws with git's message for an unknown ref.
 */
export function loadRolloutAtRef(root: string, ref: string): unknown {
  if (ref.startsWith('-')) throw new Error(`--base must be a git ref, got '${ref}'`);
  let source: string;
  try {
    // `<ref>:./path` is resolved relative to cwd, so this works when the package is a subfolder.
    source = execFileSync('git', ['show', `${ref}:./${ROLLOUT_FILE}`], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (err) {
    const stderr = String((err as { stderr?: unknown }).stderr ?? '').trim();
    if (/does not exist in|exists on disk, but not in/.test(stderr)) return undefined;
    throw new Error(`cannot read ${ROLLOUT_FILE} at '${ref}': ${stderr || (err as Error).message}`);
  }
  return evaluateRolloutSource(source, `${ref}:${ROLLOUT_FILE}`);
}
