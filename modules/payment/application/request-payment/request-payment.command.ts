import { actsFor, type Caller } from '../../../../src/platform/auth/caller.ts';
import type { Clock } from '../../../../src/platform/clock.ts';
import { OutsideTransaction, type UnitOfWork } from '../../../../src/platform/db/unit-of-work.ts';
import { InvalidInputError, NotFoundError } from '../../../../src/platform/errors.ts';
import { assertCurrency, toMinorUnits, type MoneyLimits } from '../../../../src/platform/money.ts';
import { FailureReason } from '../../domain/failure-reason.ts';
import { assessFraud, VELOCITY_WINDOW_MS, type FraudRulesConfig } from '../../domain/fraud-rules.ts';
import { Payment, type TransactionType } from '../../domain/payment.ts';
import type { AccountReference, KnownAccounts } from '../../infrastructure/known-accounts.repository.ts';
import { checkPayment } from '../../infrastructure/payments.repository.ts';
import { announce, announceFraud, announceRequested } from '../payment-events.publisher.ts';

export interface RequestPayment {
  userName?: string | undefined;
  accountId?: number | undefined;
  amount: number;
  currency: string;
  transactionType?: TransactionType | undefined;
  description?: string | undefined;
  /** Who asks: a customer pays from its own account only. */
  payer: Caller;
}

export interface RequestPaymentDeps {
  clock: Clock;
  accounts: KnownAccounts;
  fraudRules: FraudRulesConfig;
  limits: MoneyLimits;
}

/**
 * A payment request. The account must be known, ACTIVE and in the payment's
 * currency; its cache row stays locked until commit, so payments of one account are checked one
 * at a time (fraud velocity) and a suspension either sees the new payment as pending or refuses it.
 * A payment the fraud rules refuse is still recorded, as REJECTED (FRAUD_SUSPECTED).
 *
 * The cache nearly always knows the account, so the row is locked straight away; only when it is
 * missing or incomplete is the account module asked — outside the transaction, so no lock and no
 * connection waits on that call — and the payment tried once more with what it answered.
 */
export async function requestPayment(uow: UnitOfWork, deps: RequestPaymentDeps, command: RequestPayment): Promise<Payment> {
  const reference = accountReferenceOf(command);
  const currency = assertCurrency(command.currency, 'currency');
  const amount = toMinorUnits(command.amount, currency, 'amount');
  deps.limits.assertAmount(amount, currency, 'amount');
  const account = await deps.accounts.lock(uow.em, reference);
  if (account === null || !account.isComplete()) {
    if (!uow.afterOutsideStep) {
      throw new OutsideTransaction('ask the account module about the payer', async (em) => {
        await deps.accounts.locate(em, reference, deps.clock.now());
      });
    }
  }
  // Another customer's account answers as an unknown one would, so account ids cannot be probed.
  if (account === null || !actsFor(command.payer, account.login ?? '')) throw new NotFoundError('account', `No account for ${describe(reference)}`);
  account.assertAcceptsPayment(currency);
  // Read after the lock: a request that waited must see the payments committed while it waited.
  const now = deps.clock.now();

  const { recent, paymentId } = await checkPayment(uow.em, account.accountId, amount, new Date(now.getTime() - VELOCITY_WINDOW_MS));
  const assessment = assessFraud({ amount, currency, recent }, deps.fraudRules);
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
  uow.em.persist(payment);

  announce(uow.publish, payment, change);
  if (assessment.rejected) {
    announceFraud(uow.publish, payment, assessment, now);
    announce(uow.publish, payment, payment.reject(FailureReason.FRAUD_SUSPECTED, now));
  } else {
    announceRequested(uow.publish, payment);
  }
  return payment;
}

function accountReferenceOf(command: RequestPayment): AccountReference {
  const { userName, accountId } = command;
  if (userName !== undefined && accountId === undefined) return { userName };
  if (accountId !== undefined && userName === undefined) return { accountId };
  throw new InvalidInputError('account-reference', 'Give exactly one of userName and accountId')
    .withField('userName', 'give exactly one of userName and accountId')
    .withField('accountId', 'give exactly one of userName and accountId');
}

function describe(reference: AccountReference): string {
  return 'userName' in reference ? `user ${reference.userName}` : `id ${reference.accountId}`;
}
