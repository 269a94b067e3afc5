import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { eventually } from '../../harness/eventually.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
const READY_TIMEOUT_MS = 90_000;

export interface ProcessOptions {
  /** Shown in failures and figures: "relay", "worker", "api". */
  name: string;
  /** Its HTTP port when it has the api role, else 0. */
  port: number;
  env: Record<string, string>;
  /** Where its whole output goes as well (appended over restarts), for a diagnosis: FAULT_LOG_DIR. */
  logFile?: string;
  /** Called when the process exits without having been killed or stopped by the scenario. */
  onCrash: (report: string) => void;
}

/** Warning and error log lines kept per process, for the report of a crash. */
const KEPT_WARNINGS = 20;

/**
 * One `node src/main.ts` process of the platform, as an operator runs it, that a fault scenario
 * can kill with SIGKILL and start again. It reads the process's JSON log lines (LOG_LEVEL=info)
 * for two things only: "platform started" (ready) and the inbox's "duplicate delivery absorbed".
 */
export class PlatformProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<number | null> = Promise.resolve(null);
  private ready = false;
  private stderrTail = '';
  private readonly warnings: string[] = [];
  /** Set while the scenario itself kills or stops the process: that exit is expected. */
  private stopping = false;
  /** Duplicate deliveries the inbox absorbed, over every incarnation of this process. */
  duplicatesAbsorbed = 0;
  /** How many times it was killed with SIGKILL. */
  kills = 0;
  /** Milliseconds from each start to "platform started". */
  readonly startTimesMs: number[] = [];

  constructor(private readonly options: ProcessOptions) {}

  get name(): string {
    return this.options.name;
  }

  get url(): string {
    if (this.options.port === 0) throw new Error(`${this.name} serves no HTTP`);
    return `http://127.0.0.1:${this.options.port}`;
  }

  /** Starts the process and resolves when it logged "platform started". */
  async start(): Promise<void> {
    if (this.child !== undefined) throw new Error(`${this.name} is already running`);
    const started = performance.now();
    this.ready = false;
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/root', LOG_LEVEL: 'info', ...this.options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.stopping = false;
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => {
      if (!this.stopping && this.ready) this.options.onCrash(this.crashReport(code ?? signal));
      resolve(code);
    }));
    createInterface({ input: child.stdout! }).on('line', (line) => this.read(line));
    if (this.options.logFile !== undefined) {
      const file = createWriteStream(this.options.logFile, { flags: 'a' });
      child.stdout!.pipe(file, { end: false });
      child.stderr!.pipe(file, { end: false });
      child.once('close', () => file.end());
    }
    child.stderr!.on('data', (chunk: Buffer) => (this.stderrTail = (this.stderrTail + chunk.toString()).slice(-4000)));
    const failedEarly = this.exited.then((code) => {
      if (!this.ready) throw new Error(`${this.name} exited with ${code} before it was ready:\n${this.stderrTail}`);
    });
    await Promise.race([
      eventually(() => this.ready, { timeoutMs: READY_TIMEOUT_MS, intervalMs: 20, what: `${this.name} ready` }),
      failedEarly,
    ]);
    this.startTimesMs.push(Math.round(performance.now() - started));
  }

  /** `kill -9`: no shutdown hook runs, in-flight transactions are cut off. */
  async kill9(): Promise<void> {
    const child = this.requireRunning();
    this.stopping = true;
    child.kill('SIGKILL');
    await this.exited;
    this.child = undefined;
    this.kills++;
  }

  /** SIGTERM, as an orchestrator stops a process; waits for the exit. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child === undefined) return;
    this.stopping = true;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await this.exited;
    clearTimeout(timer);
    this.child = undefined;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  private requireRunning(): ChildProcess {
    if (this.child === undefined) throw new Error(`${this.name} is not running`);
    return this.child;
  }

  private read(line: string): void {
    if (line.includes('"platform started"')) this.ready = true;
    else if (line.includes('"duplicate delivery absorbed"')) this.duplicatesAbsorbed++;
    else if (/^\{"level":(4|5|6)0,/.test(line)) {
      this.warnings.push(line.slice(0, 600));
      if (this.warnings.length > KEPT_WARNINGS) this.warnings.shift();
    }
  }

  /** The last warning and error lines it logged, for a failure's diagnosis. */
  recentWarnings(): string[] {
    return [...this.warnings];
  }

  private crashReport(exit: number | string | null): string {
    return `${this.name} exited by itself (${exit}); last warnings:\n${this.warnings.join('\n')}\nstderr:\n${this.stderrTail}`;
  }
}

export interface KillSchedule {
  times: number;
  /** Pause after each restart before the next kill: uniformly between these, from `random`. */
  minGapMs: number;
  maxGapMs: number;
  random: () => number;
}

/**
 * `kill -9` at random moments, restarting the process each time. Resolves with when each
 * restarted process was ready again (the end of each fault, for the recovery figures).
 */
export async function killRepeatedly(child: PlatformProcess, schedule: KillSchedule): Promise<Date[]> {
  const restartedAt: Date[] = [];
  for (let kill = 0; kill < schedule.times; kill++) {
    await new Promise((resolve) => setTimeout(resolve, schedule.minGapMs + schedule.random() * (schedule.maxGapMs - schedule.minGapMs)));
    await child.kill9();
    await child.start();
    restartedAt.push(new Date());
  }
  return restartedAt;
}
