import t from 'tap';
import { Account, type AccountStatus } from './account.ts';
import {
  AccountNotActiveError,
  CurrencyMismatchError,
  HoldStateError,
  InsufficientFundsError,
  InvalidStatusTransitionError,
  ReservedFundsPendingError,
} from './account.errors.ts';
import { Hold, type HoldStatus } from './hold.ts';

const opened = new Date('2024-01-10T08:00:00Z');
const now = new Date('2024-01-15T10:30:00Z');

function givenAccount(state: { balance?: number; reserved?: number; status?: AccountStatus; currency?: string } = {}): Account {
  const account = Account.open({ userId: 111, login: 'alice', currency: state.currency ?? 'EUR' }, opened);
  account.id = 67890;
  account.balance = state.balance ?? 0;
  account.reserved = state.reserved ?? 0;
  account.status = state.status ?? 'ACTIVE';
  return account;
}

function givenHold(account: Account, amount: number, status: HoldStatus = 'HELD'): Hold {
  const hold = Hold.place({ paymentId: 12345, accountId: account.id, amount }, opened);
  hold.status = status;
  return hold;
}

/** The error `act` throws (tap's `t.throws` does not match by class), for `t.type(..., ErrorClass)`. */
function errorOf(act: () => unknown): unknown {
  try {
    act();
  } catch (error) {
    return error;
  }
  return undefined;
}

function balances(account: Account) {
  return { balance: account.balance, reserved: account.reserved, available: account.available() };
}

t.test('reserve', async (t) => {
  t.test('books the amount: reserved grows, balance stays, a HELD hold is placed', async (t) => {
    const account = givenAccount({ balance: 10_000, reserved: 1_000 });
    const hold = account.reserve({ paymentId: 12345, amount: 9_000, currency: 'EUR' }, now);
    t.same(balances(account), { balance: 10_000, reserved: 10_000, available: 0 });
    t.match(hold, { paymentId: 12345, accountId: 67890, amount: 9_000, status: 'HELD', createdAt: now });
    t.equal(account.updatedAt, now);
  });

  t.test('refuses more than available (reserved funds count as taken)', async (t) => {
    const account = givenAccount({ balance: 10_000, reserved: 1_000 });
    t.type(errorOf(() => account.reserve({ paymentId: 1, amount: 9_001, currency: 'EUR' }, now)), InsufficientFundsError);
    t.same(balances(account), { balance: 10_000, reserved: 1_000, available: 9_000 }, 'nothing changed');
  });

  for (const [status, reason] of [['SUSPENDED', 'ACCOUNT_SUSPENDED'], ['CLOSED', 'ACCOUNT_CLOSED']] as const) {
    t.test(`refuses a ${status} account with ${reason}`, async (t) => {
      const account = givenAccount({ balance: 10_000, status });
      t.type(errorOf(() => account.reserve({ paymentId: 1, amount: 1, currency: 'EUR' }, now)), AccountNotActiveError);
      t.equal(account.refusalToPay(1, 'EUR')?.reason, reason);
      t.equal(account.reserved, 0);
    });
  }

  t.test('refuses another currency with CURRENCY_MISMATCH', async (t) => {
    const account = givenAccount({ balance: 10_000 });
    t.type(errorOf(() => account.reserve({ paymentId: 1, amount: 1, currency: 'USD' }, now)), CurrencyMismatchError);
    t.equal(account.refusalToPay(1, 'USD')?.reason, 'CURRENCY_MISMATCH');
  });

  t.test('status is checked before currency, currency before funds', async (t) => {
    t.equal(givenAccount({ status: 'SUSPENDED' }).refusalToPay(5, 'USD')?.reason, 'ACCOUNT_SUSPENDED');
    t.equal(givenAccount().refusalToPay(5, 'USD')?.reason, 'CURRENCY_MISMATCH');
    t.equal(givenAccount().refusalToPay(5, 'EUR')?.reason, 'INSUFFICIENT_FUNDS');
    t.equal(givenAccount({ balance: 5 }).refusalToPay(5, 'EUR'), undefined, 'exactly the available amount is fine');
  });

  t.test('a zero, negative or fractional amount is a programming error', async (t) => {
    const account = givenAccount({ balance: 10_000 });
    for (const amount of [0, -1, 1.5, Number.NaN]) {
      t.type(errorOf(() => account.reserve({ paymentId: 1, amount, currency: 'EUR' }, now)), RangeError, `amount ${amount}`);
    }
  });
});

t.test('capture', async (t) => {
  t.test('takes the held amount out of balance and reserved', async (t) => {
    const account = givenAccount({ balance: 10_000, reserved: 3_000 });
    const hold = givenHold(account, 2_500);
    const change = account.capture(hold, now);
    t.same(change, { previousBalance: 10_000, newBalance: 7_500, changeAmount: -2_500, changeReason: 'DEBIT' });
    t.same(balances(account), { balance: 7_500, reserved: 500, available: 7_000 });
    t.equal(hold.status, 'CAPTURED');
    t.equal(hold.updatedAt, now);
  });

  t.test('captures on a suspended account: the funds were committed before', async (t) => {
    const account = givenAccount({ balance: 10_000, reserved: 2_500, status: 'SUSPENDED' });
    t.ok(account.capture(givenHold(account, 2_500), now));
    t.equal(account.balance, 7_500);
  });

  for (const status of ['CAPTURED', 'RECREDITED'] as const) {
    t.test(`a ${status} hold is not captured again`, async (t) => {
      const account = givenAccount({ balance: 10_000 });
      const hold = givenHold(account, 2_500, status);
      t.equal(account.capture(hold, now), undefined);
      t.same(balances(account), { balance: 10_000, reserved: 0, available: 10_000 });
      t.equal(hold.status, status);
    });
  }

  t.test('a RELEASED hold cannot be captured', async (t) => {
    const account = givenAccount({ balance: 10_000 });
    t.type(errorOf(() => account.capture(givenHold(account, 2_500, 'RELEASED'), now)), HoldStateError);
    t.equal(account.balance, 10_000);
  });

  t.test('a hold of another account cannot be captured', async (t) => {
    const account = givenAccount({ balance: 10_000, reserved: 2_500 });
    const hold = givenHold(account, 2_500);
    hold.accountId = 1;
    t.type(errorOf(() => account.capture(hold, now)), HoldStateError);
    t.equal(hold.status, 'HELD');
  });

  t.test('never takes reserved below zero', async (t) => {
    const account = givenAccount({ balance: 10_000, reserved: 1_000 });
    const hold = givenHold(account, 2_500);
    t.type(errorOf(() => account.capture(hold, now)), HoldStateError);
    t.same(balances(account), { balance: 10_000, reserved: 1_000, available: 9_000 });
    t.equal(hold.status, 'HELD');
  });
});

t.test('release', async (t) => {
  t.test('makes the held amount available again, balance unchanged', async (t) => {
    const account = givenAccount({ balance: 10_000, reserved: 2_500 });
    const hold = givenHold(account, 2_500);
    t.equal(account.release(hold, now), true);
    t.same(balances(account), { balance: 10_000, reserved: 0, available: 10_000 });
    t.equal(hold.status, 'RELEASED');
  });

  t.test('a RELEASED hold is released once', async (t) => {
    const account = givenAccount({ balance: 10_000 });
    t.equal(account.release(givenHold(account, 2_500, 'RELEASED'), now), false);
    t.equal(account.reserved, 0);
  });

  for (const status of ['CAPTURED', 'RECREDITED'] as const) {
    t.test(`a ${status} hold cannot be released`, async (t) => {
      const account = givenAccount({ balance: 10_000 });
      t.type(errorOf(() => account.release(givenHold(account, 2_500, status), now)), HoldStateError);
    });
  }
});

t.test('recredit', async (t) => {
  t.test('gives a captured amount back', async (t) => {
    const account = givenAccount({ balance: 7_500 });
    const hold = givenHold(account, 2_500, 'CAPTURED');
    t.same(account.recredit(hold, now), { previousBalance: 7_500, newBalance: 10_000, changeAmount: 2_500, changeReason: 'CREDIT' });
    t.equal(hold.status, 'RECREDITED');
  });

  t.test('re-credits a closed account too: it is the customer\'s money', async (t) => {
    const account = givenAccount({ balance: 0, status: 'CLOSED' });
    t.ok(account.recredit(givenHold(account, 2_500, 'CAPTURED'), now));
    t.equal(account.balance, 2_500);
  });

  t.test('a RECREDITED hold is re-credited once', async (t) => {
    const account = givenAccount({ balance: 10_000 });
    t.equal(account.recredit(givenHold(account, 2_500, 'RECREDITED'), now), undefined);
    t.equal(account.balance, 10_000);
  });

  for (const status of ['HELD', 'RELEASED'] as const) {
    t.test(`a ${status} hold cannot be re-credited`, async (t) => {
      const account = givenAccount({ balance: 10_000, reserved: 2_500 });
      t.type(errorOf(() => account.recredit(givenHold(account, 2_500, status), now)), HoldStateError);
      t.equal(account.balance, 10_000);
    });
  }
});

t.test('debit (order charge)', async (t) => {
  t.test('takes the amount at once', async (t) => {
    const account = givenAccount({ balance: 10_000, reserved: 1_000 });
    t.same(account.debit(9_000, 'EUR', now), { previousBalance: 10_000, newBalance: 1_000, changeAmount: -9_000, changeReason: 'DEBIT' });
    t.same(balances(account), { balance: 1_000, reserved: 1_000, available: 0 });
  });

  t.test('refuses what a payment would refuse, changing nothing', async (t) => {
    t.type(errorOf(() => givenAccount({ balance: 10_000, reserved: 1_000 }).debit(9_001, 'EUR', now)), InsufficientFundsError);
    t.type(errorOf(() => givenAccount({ balance: 10_000 }).debit(1, 'USD', now)), CurrencyMismatchError);
    t.type(errorOf(() => givenAccount({ balance: 10_000, status: 'SUSPENDED' }).debit(1, 'EUR', now)), AccountNotActiveError);
    const closed = givenAccount({ balance: 10_000, status: 'CLOSED' });
    t.type(errorOf(() => closed.debit(1, 'EUR', now)), AccountNotActiveError);
    t.equal(closed.balance, 10_000);
  });
});

t.test('deposit and withdraw', async (t) => {
  t.test('a withdrawal cannot touch reserved funds', async (t) => {
    const account = givenAccount({ balance: 10_000, reserved: 4_000 });
    t.type(errorOf(() => account.withdraw(6_001, now)), InsufficientFundsError);
    t.same(account.withdraw(6_000, now), { previousBalance: 10_000, newBalance: 4_000, changeAmount: -6_000, changeReason: 'DEBIT' });
    t.same(balances(account), { balance: 4_000, reserved: 4_000, available: 0 });
  });

  t.test('a suspended account takes deposits but pays nothing', async (t) => {
    const account = givenAccount({ balance: 0, status: 'SUSPENDED' });
    t.equal(account.deposit(500, now).newBalance, 500);
    t.type(errorOf(() => account.withdraw(1, now)), AccountNotActiveError);
  });

  t.test('a closed account takes nothing', async (t) => {
    t.type(errorOf(() => givenAccount({ status: 'CLOSED' }).deposit(500, now)), AccountNotActiveError);
  });
});

t.test('status changes', async (t) => {
  t.test('suspend: ACTIVE → SUSPENDED, keeping reason and expiry', async (t) => {
    const account = givenAccount();
    const expiresAt = new Date('2024-02-01T00:00:00Z');
    t.same(account.suspend('FRAUD_SUSPECTED', expiresAt, now), { previousStatus: 'ACTIVE', newStatus: 'SUSPENDED', reason: 'FRAUD_SUSPECTED' });
    t.match(account, { status: 'SUSPENDED', statusReason: 'FRAUD_SUSPECTED', suspendedUntil: expiresAt, updatedAt: now });
  });

  t.test('suspend refuses an expiry that is not in the future', async (t) => {
    const account = givenAccount();
    t.throws(() => account.suspend('X', now, now), { code: 'invalid-expiry', name: 'InvalidInputError' });
    t.equal(account.status, 'ACTIVE');
  });

  for (const status of ['SUSPENDED', 'CLOSED'] as const) {
    t.test(`suspend refuses a ${status} account`, async (t) => {
      const account = givenAccount({ status });
      t.type(errorOf(() => account.suspend('X', undefined, now)), InvalidStatusTransitionError);
      t.equal(account.status, status);
    });
  }

  t.test('reactivate: SUSPENDED → ACTIVE, forgetting reason and expiry', async (t) => {
    const account = givenAccount();
    account.suspend('FRAUD_SUSPECTED', new Date('2024-02-01T00:00:00Z'), now);
    t.same(account.reactivate(now), { previousStatus: 'SUSPENDED', newStatus: 'ACTIVE', reason: 'REACTIVATED' });
    t.match(account, { status: 'ACTIVE', statusReason: null, suspendedUntil: null });
  });

  for (const status of ['ACTIVE', 'CLOSED'] as const) {
    t.test(`reactivate refuses an ${status} account`, async (t) => {
      t.throws(() => givenAccount({ status }).reactivate(now), { code: 'invalid-status-transition', name: 'InvalidStatusTransitionError' });
    });
  }

  for (const status of ['ACTIVE', 'SUSPENDED'] as const) {
    t.test(`close: ${status} → CLOSED`, async (t) => {
      const account = givenAccount({ status, balance: 500 });
      t.same(account.close('CUSTOMER_REQUEST', now), { previousStatus: status, newStatus: 'CLOSED', reason: 'CUSTOMER_REQUEST' });
      t.match(account, { status: 'CLOSED', statusReason: 'CUSTOMER_REQUEST', suspendedUntil: null });
    });
  }

  t.test('close refuses a closed account', async (t) => {
    t.type(errorOf(() => givenAccount({ status: 'CLOSED' }).close('X', now)), InvalidStatusTransitionError);
  });

  t.test('close refuses while payments hold reserved funds', async (t) => {
    const account = givenAccount({ balance: 500, reserved: 200 });
    t.type(errorOf(() => account.close('CUSTOMER_REQUEST', now)), ReservedFundsPendingError);
    t.equal(account.status, 'ACTIVE');
  });
});
