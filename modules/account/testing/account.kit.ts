import { eventually } from '../../../test/harness/eventually.ts';
import { type TestPlatform } from '../../../test/harness/platform.ts';

/** What the account routes answer (AccountView). */
export interface AccountBody {
  accountId: number;
  userId: number;
  login: string;
  balance: number;
  reserved: number;
  available: number;
  currency: string;
  status: 'ACTIVE' | 'SUSPENDED' | 'CLOSED';
}

/** Registers a person, waits for their account and tops it up: the state most account tests start from. */
export async function openAccount(app: TestPlatform, login: string, options: { deposit?: number; currency?: string } = {}): Promise<AccountBody> {
  const registered = await app.request({
    method: 'POST', url: '/profiles',
    payload: { login, fullName: login, email: `${login}@example.org`, ...(options.currency === undefined ? {} : { currency: options.currency }) },
  });
  if (registered.statusCode !== 201) throw new Error(`registering ${login}: ${registered.statusCode} ${registered.body}`);
  let account = await eventually(async () => {
    const response = await app.request({ method: 'GET', url: `/account?login=${login}` });
    return response.statusCode === 200 ? response.json<AccountBody>() : undefined;
  }, { what: `the account of ${login}`, timeoutMs: 30_000 });
  if (options.deposit !== undefined) {
    const deposited = await app.request({ method: 'PUT', url: '/account/operation', payload: { login, operation: 'DEPOSIT', sum: options.deposit } });
    if (deposited.statusCode !== 200) throw new Error(`deposit for ${login}: ${deposited.statusCode} ${deposited.body}`);
    account = deposited.json<AccountBody>();
  }
  return account;
}

export async function accountOf(app: TestPlatform, login: string): Promise<AccountBody> {
  return (await app.request({ method: 'GET', url: `/account?login=${login}` })).json<AccountBody>();
}

export async function holdOf(app: TestPlatform, paymentId: number): Promise<{ status: string; amount: number } | undefined> {
  const [row] = await app.container.cradle.orm.em.fork().execute<Array<{ status: string; amount: number }>>(
    'select status, amount from account.hold where payment_id = ?', [paymentId],
  );
  return row;
}

export async function ledgerOf(app: TestPlatform, accountId: number): Promise<Array<{ kind: string; amount: number; balance_after: number; reference: string | null }>> {
  return app.container.cradle.orm.em.fork().execute(
    'select kind, amount, balance_after, reference from account.ledger_entry where account_id = ? order by id', [accountId],
  );
}

export async function deadLetterCount(app: TestPlatform): Promise<number> {
  const [row] = await app.container.cradle.orm.em.fork().execute<Array<{ n: number }>>('select count(*)::int as n from messaging.dead_letter');
  return row?.n ?? 0;
}

export function minor(amount: number): number {
  return Math.round(amount * 100);
}
