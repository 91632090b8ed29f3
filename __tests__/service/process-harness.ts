/** Spawns the bundled service (server.js) as the container runs it, and reads its JSON logs. */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { REPO } from './helpers';

export interface LogLine {
  level: string;
  msg: string;
  [key: string]: unknown;
}

export interface ServiceProcess {
  readonly child: ChildProcess;
  /** stdout, one parsed JSON line each; a line that is not JSON is `{level: 'raw', msg}`. */
  readonly lines: LogLine[];
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Resolves with the first log line matching `msg` (rejects on exit or timeout). */
  waitFor(msg: string, timeoutMs?: number): Promise<LogLine>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(): void;
}

export function spawnService(serverJs: string, env: Record<string, string>): ServiceProcess {
  return spawnNodeProcess([serverJs], { cwd: path.dirname(serverJs), env });
}

/**
 * `node <args>` with a minimal environment: PATH, NODE_PATH (externals such as onnxruntime-node
 * resolve from the repo's node_modules, standing in for the image's `npm ci` of
 * service/runtime), HOST 127.0.0.1, PORT and PROBE_PORT 0, then `env`. Nothing else is inherited,
 * ORT_DISABLE_TELEMETRY included: the service must set what it needs itself.
 */
export function spawnNodeProcess(
  args: readonly string[],
  options: { readonly cwd: string; readonly env: Record<string, string> },
): ServiceProcess {
  const child = spawn(process.execPath, args, {
    cwd: options.cwd,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_PATH: path.join(REPO, 'node_modules'),
      HOST: '127.0.0.1',
      PORT: '0',
      PROBE_PORT: '0',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: LogLine[] = [];
  const waiters: { msg: string; resolve: (l: LogLine) => void }[] = [];
  let buffer = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    let nl = buffer.indexOf('\n');
    while (nl >= 0) {
      const text = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      nl = buffer.indexOf('\n');
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        line = { level: 'raw', msg: text };
      }
      lines.push(line);
      for (const w of waiters.filter((x) => x.msg === line.msg)) w.resolve(line);
    }
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const waitFor = (msg: string, timeoutMs = 15_000): Promise<LogLine> => {
    const seen = lines.find((l) => l.msg === msg);
    if (seen) return Promise.resolve(seen);
    return new Promise<LogLine>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no '${msg}' log line within ${timeoutMs} ms; stderr: ${stderr}`)),
        timeoutMs,
      );
      waiters.push({
        msg,
        resolve: (l) => {
          clearTimeout(timer);
          resolve(l);
        },
      });
      void exited.then(() => {
        clearTimeout(timer);
        const late = lines.find((l) => l.msg === msg);
        if (late) resolve(late);
        else
          reject(
            new Error(`process exited before '${msg}'; stderr: ${stderr}; stdout: ${JSON.stringify(lines)}`),
          );
      });
    });
  };
  return {
    child,
    lines,
    stderr: () => stderr,
    waitFor,
    exited,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
