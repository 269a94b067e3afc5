import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../../../src/platform/clock.ts';
import { transactionally } from '../../../../src/platform/db/transaction.ts';
import { BadRequestError, NotFoundError } from '../../../../src/platform/errors.ts';
import type { OutboxWriter } from '../../../../src/platform/messaging/outbox-writer.ts';
import { assertCurrency, toMinorUnits } from '../../../../src/platform/money.ts';
import { FailureReason } from '../../domain/failure-reason.ts';
import { assessFraud, VELOCITY_WINDOW_MS, type FraudRulesConfig } from '../../domain/fraud-rules.ts';
import { Payment, type TransactionType } from '../../domain/payment.ts';
import type { KnownAccount } from '../../domain/known-account.ts';
import type { AccountReference, KnownAccounts } from '../../infrastructure/known-accounts.repository.ts';
import { checkPayment } from '../../infrastructure/payments.repository.ts';
import { announce, announceFraud, announceRequested, type Publish } from '../payment-events.ts';

export interface RequestPayment {
  userName?: string | undefined;
  accountId?: number | undefined;
  amount: number;
  currency: string;
  transactionType?: TransactionType | undefined;
  description?: string | undefined;
}

export interface RequestPaymentDeps {
  em: EntityManager;
  outbox: OutboxWriter;
  clock: Clock;
  accounts: KnownAccounts;
  fraudRules: FraudRulesConfig;
}

/**
 * Seed 000/001/002 payment request. The account must be known, ACTIVE and in the payment's
 * currency; its cache row stays locked until commit, so payments of one account are checked one
 * at a time (fraud velocity) and a suspension either sees the new payment as pending or refuses it.
 * A payment the fraud rules refuse is still recorded, as REJECTED (FRAUD_SUSPECTED).
 *
 * The cache nearly always knows the account, so the row is locked straight away; only when it is
 * missing or incomplete is the account module asked — outside the transaction, so no lock waits
 * on that call — and the payment tried once more by the id it gave.
 */
export async function requestPayment(deps: RequestPaymentDeps, command: RequestPayment): Promise<Payment> {
  const reference = accountReferenceOf(command);
  const amount = toMinorUnits(command.amount, 'amount');
  const currency = assertCurrency(command.currency, 'currency');
  const fromCache = await payFrom(deps, reference, { amount, currency, command }, (account) => account.isComplete());
  if (fromCache !== undefined) return fromCache;
  const accountId = await deps.accounts.locate(deps.em.fork(), reference, deps.clock.now());
  const located = accountId === undefined ? undefined : await payFrom(deps, { accountId }, { amount, currency, command }, () => true);
  if (located === undefined) throw new NotFoundError('account', `No account for ${describe(reference)}`);
  return located;
}

interface Checked {
  /** Minor units. */
  amount: number;
  currency: string;
  command: RequestPayment;
}

/** The payment in one transaction with the account row locked; undefined (nothing written) when the cache row is missing or not `usable`. */
async function payFrom(
  deps: RequestPaymentDeps,
  reference: AccountReference,
  { amount, currency, command }: Checked,
  usable: (account: KnownAccount) => boolean,
): Promise<Payment | undefined> {
  return transactionally(deps.em, async (em) => {
    const account = await deps.accounts.lock(em, reference);
    if (account === null || !usable(account)) return undefined;
    account.assertAcceptsPayment(currency);
    // Read after the lock: a request that waited must see the payments committed while it waited.
    const now = deps.clock.now();

    const { recent, paymentId } = await checkPayment(em, account.accountId, amount, new Date(now.getTime() - VELOCITY_WINDOW_MS));
    const assessment = assessFraud({ amount, recent }, deps.fraudRules);
    const { payment, change } = Payment.request({
      accountId: account.accountId,
      userId: account.userId,
      userName: account.login,
      amount,
      currency,
      transactionType: command.transactionType ?? 'STANDARD',
      description: command.description ?? null,
    }, now);
    // The id is known up front, so the payment and its events go out in the one flush at commit.
    payment.id = paymentId;
    em.persist(payment);

    const publish: Publish = (contract, data) => deps.outbox.add(em, contract, data);
    announce(publish, payment, change);
    if (assessment.rejected) {
      announceFraud(publish, payment, assessment, now);
      announce(publish, payment, payment.reject(FailureReason.FRAUD_SUSPECTED, now));
    } else {
      announceRequested(publish, payment);
    }
    return payment;
  });
}

function accountReferenceOf(command: RequestPayment): AccountReference {
  const { userName, accountId } = command;
  if (userName !== undefined && accountId === undefined) return { userName };
  if (accountId !== undefined && userName === undefined) return { accountId };
  throw new BadRequestError('account-reference', 'Give exactly one of userName and accountId')
    .withField('userName', 'give exactly one of userName and accountId')
    .withField('accountId', 'give exactly one of userName and accountId');
}

function describe(reference: AccountReference): string {
  return 'userName' in reference ? `user ${reference.userName}` : `id ${reference.accountId}`;
}
