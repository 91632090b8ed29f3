/** The machine line every benchmark section starts with (BENCHMARKS.md compares like with like). */
import * as fs from 'node:fs';
import * as os from 'node:os';

/** e.g. `2 cores (nproc), AMD EPYC 7B13, 23.5 GiB RAM, node v20.20.2`. */
export function describeMachine(): string {
  const cpu =
    /model name\s*:\s*(.+)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ??
    os.cpus()[0]?.model ??
    'unknown CPU';
  const ram = (os.totalmem() / 2 ** 30).toFixed(1);
  return `${os.availableParallelism()} cores (nproc), ${cpu}, ${ram} GiB RAM, node ${process.version}`;
}
