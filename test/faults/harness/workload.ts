import { eventually } from '../../harness/eventually.ts';
import { customerAuthorization } from '../../harness/tokens.ts';

/** What the API answered, by operation and status ("error" when no answer came). */
export type Answers = Record<string, Record<string, number>>;

export interface WorkloadOptions {
  /** The API process's base URL. */
  url: string;
  accounts: number;
  /** Requests in flight at once. */
  concurrency: number;
  /** Prefix of the generated logins, unique per run. */
  prefix: string;
}

/** Statuses each operation may answer while the system is healthy; anything else is a finding. */
const EXPECTED: Record<string, number[]> = {
  payment: [201, 422],
  deposit: [200],
  withdrawal: [200, 422],
  order: [200, 202],
  reversal: [200, 409, 422],
};

/**
 * Business traffic over HTTP, as clients would send it: payments, deposits, withdrawals, orders
 * and reversals spread over a few accounts, `concurrency` requests at a time, until stopped.
 * It keeps what the API accepted so a scenario can compare it with what the modules did.
 */
export class Workload {
  readonly answers: Answers = {};
  /** Minor units the API confirmed as deposited / withdrawn. */
  depositedMinor = 0;
  withdrawnMinor = 0;
  /**
   * Minor units of deposits / withdrawals whose answer said nothing certain (503, no answer):
   * the database may have committed them just before it went away.
   */
  uncertainDepositedMinor = 0;
  uncertainWithdrawnMinor = 0;
  /** When each 2xx answer arrived (epoch ms), to see when service came back after a fault. */
  private readonly successes: number[] = [];
  readonly logins: string[];
  /** Payments answered 201, with their payer: a reversal is sent by the payer's own token. */
  private readonly payments: Array<{ id: number; login: string }> = [];
  private running: Promise<void>[] = [];
  private stopping = false;
  private random: () => number;

  constructor(private readonly options: WorkloadOptions, seed: number) {
    this.logins = Array.from({ length: options.accounts }, (_, n) => `${options.prefix}${n}`);
    this.random = mulberry32(seed);
  }

  /** Registers every person, waits for their accounts, deposits `initialDeposit` each. */
  async onboard(initialDeposit: number): Promise<void> {
    for (const login of this.logins) {
      const registered = await this.call('register', login, 'POST', '/profiles', { login, fullName: login, email: `${login}@example.org` });
      if (registered !== 201) throw new Error(`registering ${login} answered ${registered}`);
    }
    for (const login of this.logins) {
      await eventually(async () => (await fetch(`${this.options.url}/account?login=${login}`, { headers: { authorization: await customerAuthorization(login) } })).status === 200, { what: `account of ${login}`, timeoutMs: 60_000, intervalMs: 100 });
      await this.deposit(login, initialDeposit);
    }
  }

  start(): void {
    this.stopping = false;
    this.running = Array.from({ length: this.options.concurrency }, () => this.loop());
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.running);
  }

  /** The first 2xx answer after `at`, in ms after it; undefined when none came. */
  firstSuccessAfter(at: Date): number | undefined {
    const first = this.successes.find((time) => time > at.getTime());
    return first === undefined ? undefined : first - at.getTime();
  }

  /**
   * Answers outside the healthy set (5xx, refused connections, unexpected 4xx), by operation.
   * `tolerated` adds statuses a scenario's fault makes legitimate (503 while the database is down).
   */
  unexpectedAnswers(tolerated: number[] = []): Answers {
    const unexpected: Answers = {};
    for (const [operation, statuses] of Object.entries(this.answers)) {
      for (const [status, count] of Object.entries(statuses)) {
        if (EXPECTED[operation]?.includes(Number(status)) || tolerated.includes(Number(status)) || operation === 'register') continue;
        (unexpected[operation] ??= {})[status] = count;
      }
    }
    return unexpected;
  }

  requests(): number {
    return Object.values(this.answers).reduce((sum, statuses) => sum + Object.values(statuses).reduce((a, b) => a + b, 0), 0);
  }

  private async loop(): Promise<void> {
    while (!this.stopping) await this.step();
  }

  private async step(): Promise<void> {
    const login = this.logins[Math.floor(this.random() * this.logins.length)]!;
    const dice = this.random();
    if (dice < 0.45) return this.pay(login);
    if (dice < 0.6) return this.deposit(login, this.amount(50));
    if (dice < 0.7) return this.withdraw(login, this.amount(20));
    if (dice < 0.9) return void (await this.call('order', login, 'POST', '/orders', { login, amount: this.amount(10) }));
    return this.reverse();
  }

  private async pay(login: string): Promise<void> {
    const body = { userName: login, amount: this.amount(20), currency: 'EUR', description: 'fault run' };
    await this.call('payment', login, 'POST', '/payments', body, async (response) => {
      if (response.status === 201) this.payments.push({ id: ((await response.json()) as { id: number }).id, login });
    });
  }

  private async deposit(login: string, amount: number): Promise<void> {
    const status = await this.call('deposit', login, 'PUT', '/account/operation', { login, operation: 'DEPOSIT', sum: amount });
    if (status === 200) this.depositedMinor += amount * 100;
    else if (isUncertain(status)) this.uncertainDepositedMinor += amount * 100;
  }

  private async withdraw(login: string, amount: number): Promise<void> {
    const status = await this.call('withdrawal', login, 'PUT', '/account/operation', { login, operation: 'WITHDRAW', sum: amount });
    if (status === 200) this.withdrawnMinor += amount * 100;
    else if (isUncertain(status)) this.uncertainWithdrawnMinor += amount * 100;
  }

  private async reverse(): Promise<void> {
    if (this.payments.length === 0) return;
    const { id, login } = this.payments[Math.floor(this.random() * this.payments.length)]!;
    await this.call('reversal', login, 'POST', `/payments/${id}/reversal`, { reason: 'CUSTOMER_REQUEST' });
  }

  /** Whole currency units from 1 to `max`. */
  private amount(max: number): number {
    return 1 + Math.floor(this.random() * max);
  }

  /** One request as the customer `login`, its answer counted under `operation`. */
  private async call(operation: string, login: string, method: string, path: string, body: unknown, read?: (response: Response) => Promise<void>): Promise<number | 'error'> {
    let status: number | 'error';
    try {
      const authorization = await customerAuthorization(login);
      const response = await fetch(`${this.options.url}${path}`, {
        method, body: JSON.stringify(body), headers: { 'content-type': 'application/json', authorization }, signal: AbortSignal.timeout(30_000),
      });
      status = response.status;
      if (status >= 200 && status < 300) this.successes.push(Date.now());
      if (read !== undefined) await read(response);
      else await response.arrayBuffer();
    } catch {
      status = 'error';
    }
    const statuses = (this.answers[operation] ??= {});
    statuses[String(status)] = (statuses[String(status)] ?? 0) + 1;
    return status;
  }
}

/** An answer that does not tell whether the operation happened. */
function isUncertain(status: number | 'error'): boolean {
  return status === 'error' || status >= 500;
}

/** A small seeded generator: a failing run can be repeated with the seed it printed. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}
