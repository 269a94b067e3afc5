const TERMINAL = process.stderr.isTTY === true;
const REDRAW_MS = TERMINAL ? 250 : 2000;

/**
 * Shows what a running phase is doing on stderr: rewritten in place on a terminal, one line every
 * two seconds otherwise (CI logs), so a long phase never looks stuck.
 */
export class Progress {
  private lastDraw = 0;
  private readonly started = performance.now();

  constructor(private readonly label: string) {
    this.write(`${this.label} …`, true);
  }

  update(text: string): void {
    const now = performance.now();
    if (now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    this.write(`${this.label} ${text} (${seconds(now - this.started)})`, false);
  }

  done(text: string): void {
    this.write(`${this.label} ${text} (${seconds(performance.now() - this.started)})`, true);
  }

  private write(line: string, final: boolean): void {
    if (TERMINAL) process.stderr.write(`\r\x1b[2K${line}${final ? '\n' : ''}`);
    else process.stderr.write(`${line}\n`);
  }
}

/** A message between phases. */
export function say(text: string): void {
  process.stderr.write(`${text}\n`);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}
