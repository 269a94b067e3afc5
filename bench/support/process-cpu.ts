import { readdir, readFile } from 'node:fs/promises';

/** Linux's clock ticks a second for /proc/<pid>/stat times (USER_HZ, 100 on every mainstream kernel). */
const TICKS_PER_SEC = 100;

/** CPU time (user + system, every thread) a process has used so far, in ms; 0 once it is gone. */
export async function processCpuMs(pid: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SEC;
  } catch {
    return 0;
  }
}

/** CPU time used so far by each process whose command is `command` (postgres, java), in ms by pid. */
export async function commandCpuMs(command: string): Promise<Map<number, number>> {
  const byPid = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const comm = await readFile(`/proc/${entry}/comm`, 'utf8').catch(() => '');
    if (comm.trim() === command) byPid.set(Number(entry), await processCpuMs(Number(entry)));
  }
  return byPid;
}

/**
 * CPU used between two readings of {@link commandCpuMs}: by the processes alive at the end (all of
 * it for one started in between); what a process that ended in between used is not seen.
 */
export function cpuUsedBetween(before: Map<number, number>, after: Map<number, number>): number {
  let used = 0;
  for (const [pid, ms] of after) used += ms - (before.get(pid) ?? 0);
  return used;
}
