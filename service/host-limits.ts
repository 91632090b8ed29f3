/**
 * What the host really gives this process, read once at start-up: CPU cores (affinity and the
 * cgroup CPU quota; os.cpus() and ORT's own sizing see the host's cores, PITFALLS.md §3) and the
 * open-file limit (every connection is a file descriptor).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';

/**
 * Cores this process may use: os.availableParallelism() (CPU affinity), lowered by a cgroup v2
 * `cpu.max` quota (or v1 `cpu.cfs_quota_us`) when one is set, rounded up, at least 1.
 */
export function availableCores(): number {
  const affinity = os.availableParallelism();
  const quota = cgroupCpuQuota();
  return Math.max(1, quota === undefined ? affinity : Math.min(affinity, Math.ceil(quota)));
}

function cgroupCpuQuota(): number | undefined {
  const v2 = readText('/sys/fs/cgroup/cpu.max');
  if (v2 !== undefined) {
    const [quota, period] = v2.trim().split(/\s+/);
    if (quota === 'max') return undefined;
    const q = Number(quota);
    const p = Number(period);
    return q > 0 && p > 0 ? q / p : undefined;
  }
  const q = Number(readText('/sys/fs/cgroup/cpu/cpu.cfs_quota_us'));
  const p = Number(readText('/sys/fs/cgroup/cpu/cpu.cfs_period_us'));
  return q > 0 && p > 0 ? q / p : undefined;
}

/** The soft `Max open files` limit from /proc/self/limits; undefined where unknown (not Linux). */
export function softFileLimit(): number | undefined {
  const limits = readText('/proc/self/limits');
  const m = limits && /^Max open files\s+(\d+|unlimited)/m.exec(limits);
  if (!m) return undefined;
  return m[1] === 'unlimited' ? undefined : Number(m[1]);
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
