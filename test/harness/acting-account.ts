import { AccountChargeDebited, AccountChargeRejected } from '../../modules/account/index.ts';
import { eventually } from './eventually.ts';
import type { TestPlatform } from './platform.ts';

export interface ChargeRequest {
  chargeId: number;
  orderId: number;
  login: string;
  amount: number;
  currency: string;
  requestedAt: string;
}

/** Every `billing.charge.requested` billing committed for `login`, oldest first. */
export async function chargeRequestsOf(app: TestPlatform, login: string): Promise<ChargeRequest[]> {
  const rows = await app.container.cradle.orm.em.fork().execute<Array<{ payload: ChargeRequest }>>(
    `select payload from messaging.outbox where event_type = 'billing.charge.requested' and payload->>'login' = ? order by id`,
    [login],
  );
  return rows.map((row) => row.payload);
}

/** Waits for billing to ask for the charge of `orderId` (or of the `nth` order of `login`). */
export async function chargeRequested(app: TestPlatform, login: string, which: { orderId?: number; nth?: number } = {}): Promise<ChargeRequest> {
  return eventually(async () => {
    const requests = await chargeRequestsOf(app, login);
    return which.orderId !== undefined ? requests.find((request) => request.orderId === which.orderId) : requests[which.nth ?? requests.length - 1];
  }, { what: `billing.charge.requested for ${login}`, timeoutMs: 30_000 });
}

/**
 * Plays the account module's side of an order charge (on this branch the account module does not
 * handle `billing.charge.requested` yet): commits its answer through the outbox as it would.
 */
export async function answerCharge(
  app: TestPlatform,
  request: ChargeRequest,
  answer: { debit: { accountId: number } } | { reject: { reason: string; accountId: number | null } },
): Promise<void> {
  const { orm, outbox } = app.container.cradle;
  const common = { chargeId: request.chargeId, orderId: request.orderId, amount: request.amount, currency: request.currency };
  const at = new Date().toISOString();
  await orm.em.fork().transactional(async (em) => {
    if ('debit' in answer) outbox.add(em, AccountChargeDebited, { ...common, accountId: answer.debit.accountId, debitedAt: at });
    else outbox.add(em, AccountChargeRejected, { ...common, accountId: answer.reject.accountId, reason: answer.reject.reason, rejectedAt: at });
  });
}

/** Payloads of the events of `type` in the outbox whose payload field `field` equals `value`. */
export async function outboxPayloads<T = Record<string, unknown>>(app: TestPlatform, type: string, field: string, value: string | number): Promise<T[]> {
  const rows = await app.container.cradle.orm.em.fork().execute<Array<{ payload: T }>>(
    `select payload from messaging.outbox where event_type = ? and payload->>? = ? order by id`,
    [type, field, String(value)],
  );
  return rows.map((row) => row.payload);
}
