/**
 * CPU time and resident memory of a process and all its descendants, read from /proc (Linux):
 * what a bot costs the machine, whatever it spawns (tsx loaders, workers).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

// /proc/<pid>/stat counts CPU in clock ticks; CLK_TCK is 100 on every Linux we run on.
const FALLBACK_CLOCK_TICKS = 100;
const PID_DIR = /^\d+$/;
const RSS_LINE = /^VmRSS:\s+(\d+)\s+kB$/m;
const RSS_SAMPLE_INTERVAL_MS = 200;

let clockTicks: number | undefined;

function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    const read = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());
    clockTicks = Number.isFinite(read) && read > 0 ? read : FALLBACK_CLOCK_TICKS;
  }
  return clockTicks;
}

interface ProcStat {
  readonly pid: number;
  readonly ppid: number;
  /** utime + stime + cutime + cstime: the process and its reaped children, in ticks. */
  readonly ticks: number;
}

function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name sits in parentheses and may contain spaces; fields follow the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const field = (index: number): number => Number(fields[index] ?? 0);
  // After the name: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14).
  return { pid, ppid: field(1), ticks: field(11) + field(12) + field(13) + field(14) };
}

function allStats(): ProcStat[] {
  return readdirSync('/proc')
    .filter((name) => PID_DIR.test(name))
    .flatMap((name) => readStat(Number(name)) ?? []);
}

/** The process and every live descendant. */
function treeOf(rootPid: number): ProcStat[] {
  const stats = allStats();
  const tree = stats.filter((stat) => stat.pid === rootPid);
  for (let index = 0; index < tree.length; index += 1) {
    const parent = tree[index]?.pid;
    tree.push(...stats.filter((stat) => stat.ppid === parent));
  }
  return tree;
}

/** CPU milliseconds (user + system) the process tree has used so far. */
export function treeCpuMs(rootPid: number): number {
  const ticks = treeOf(rootPid).reduce((sum, stat) => sum + stat.ticks, 0);
  return (ticks * 1000) / ticksPerSecond();
}

function rssKb(pid: number): number {
  try {
    const match = RSS_LINE.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return Number(match?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Resident memory of the process tree now, in MB. */
export function treeRssMb(rootPid: number): number {
  return treeOf(rootPid).reduce((sum, stat) => sum + rssKb(stat.pid), 0) / 1024;
}

/**
 * CPU milliseconds every core of the machine has spent busy since boot (/proc/stat): with the
 * bot's and the harness's own, it tells how much else ran meanwhile.
 */
export function machineBusyMs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  // cpu  user nice system idle iowait irq softirq steal …
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  const busy = ticks.slice(0, 8).reduce((sum, tick) => sum + tick, 0) - idle;
  return (busy * 1000) / ticksPerSecond();
}

export interface RssSampler {
  /** Stops sampling; resolves with the largest tree RSS seen (MB). */
  stop(): number;
}

/** Samples the tree's RSS every 200 ms until stopped, keeping the peak. */
export function sampleRss(rootPid: number): RssSampler {
  let peak = treeRssMb(rootPid);
  const timer = setInterval(() => {
    peak = Math.max(peak, treeRssMb(rootPid));
  }, RSS_SAMPLE_INTERVAL_MS);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, treeRssMb(rootPid));
    },
  };
}
