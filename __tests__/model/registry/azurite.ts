/**
 * Starts the real Azurite blob emulator (npm `azurite` 3.33: no telemetry code in this version;
 * its flags are listed by `azurite-blob --help`) on 127.0.0.1 and a free port, in memory, and
 * stops it. Callers stop it in afterAll.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { StorageSharedKeyCredential } from '@azure/storage-blob';

const BIN = path.resolve(__dirname, '../../../node_modules/.bin/azurite-blob');

/** Azurite's documented, public development account (not a secret). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface Azurite {
  /** `http://127.0.0.1:<port>/devstoreaccount1` */
  readonly accountUrl: string;
  readonly credential: StorageSharedKeyCredential;
  stop(): Promise<void>;
}

export async function startAzurite(): Promise<Azurite> {
  // cwd: a fresh folder, so nothing Azurite might write lands in the repository.
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'fraud-azurite-'));
  const child: ChildProcess = spawn(
    BIN,
    [
      '--inMemoryPersistence',
      '--extentMemoryLimit',
      '64',
      '--loose',
      '--skipApiVersionCheck',
      '--blobHost',
      '127.0.0.1',
      '--blobPort',
      '0',
    ],
    { cwd, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL'); // never leave it running
      reject(new Error(`azurite did not start in 15 s:\n${output}`));
    }, 15_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const m = /listens on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`azurite exited with ${code}:\n${output}`));
    });
  });
  child.stdout?.resume();
  child.stderr?.resume();
  return {
    accountUrl: `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`,
    credential: new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      fs.rmSync(cwd, { recursive: true, force: true });
    },
  };
}
