import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { IMAGE_MEMORY_ENV } from '../../service/image-env';

/** The ENV instructions of a Dockerfile as name -> value (continuation lines joined). */
function dockerfileEnv(text: string): Record<string, string> {
  const joined = text.replace(/\\\n/g, ' ');
  const env: Record<string, string> = {};
  for (const line of joined.split('\n')) {
    const m = /^ENV\s+(.*)$/.exec(line.trim());
    if (!m) continue;
    for (const pair of m[1].trim().split(/\s+/)) {
      const eq = pair.indexOf('=');
      if (eq > 0) env[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
  }
  return env;
}

test('the image sets the memory settings the service bench measures', () => {
  const env = dockerfileEnv(fs.readFileSync(path.join(__dirname, '../../service/Dockerfile'), 'utf8'));
  expect(env).toEqual(expect.objectContaining({ ...IMAGE_MEMORY_ENV, ORT_DISABLE_TELEMETRY: '1' }));
});

test('node accepts the NODE_OPTIONS of the image (a flag it refuses would stop the container)', () => {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write("ok")'], {
    env: { PATH: process.env.PATH ?? '', ...IMAGE_MEMORY_ENV },
    encoding: 'utf8',
  });
  expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({
    status: 0,
    stdout: 'ok',
    stderr: '',
  });
});
