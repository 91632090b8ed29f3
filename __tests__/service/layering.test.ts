/**
 * DESIGN.md "Dependency direction" for service/ (issue 8 C): service/ imports only
 * model/{schema,features,package,explain}; service/cli/start.ts alone may also use the trainer
 * (model/train/*). The lint rules enforce the whole layering; this pins the service's part.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO } from './helpers';

function tsFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.join(e.parentPath, e.name));
}

test('service/ reaches model/ only through schema, features, package, explain (and start.ts through the trainer)', () => {
  const allowed = /^model\/(schema|features|package|explain)(\/|$)/;
  const offending: string[] = [];
  for (const file of tsFiles(path.join(REPO, 'service'))) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from|import)\s+'(\.[^']+)'/g)) {
      const target = path.relative(REPO, path.resolve(path.dirname(file), m[1]));
      if (!target.startsWith('model')) continue;
      const rel = path.relative(REPO, file);
      const ok = allowed.test(target) || (rel === 'service/cli/start.ts' && /^model\/train\//.test(target));
      if (!ok) offending.push(`${rel} -> ${target}`);
    }
  }
  expect(offending).toEqual([]);
});
