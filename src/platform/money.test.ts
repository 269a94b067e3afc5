import t from 'tap';
import { formatMoney, fromMinorUnits, MAX_MINOR_UNITS, minorDigits, MoneyLimits, toMinorUnits } from './money.ts';
import { parseInt8 } from './db/orm.ts';

t.test('minorDigits › the ISO 4217 exponent from the runtime', async (t) => {
  t.same(['EUR', 'USD', 'JPY', 'KRW', 'KWD', 'BHD', 'CLP'].map(minorDigits), [2, 2, 0, 0, 3, 3, 0]);
});

t.test('toMinorUnits / fromMinorUnits › exact in every exponent, refusing over-precise amounts', async (t) => {
  t.equal(toMinorUnits(19.99, 'EUR', 'amount'), 1999);
  t.equal(toMinorUnits(1.005, 'KWD', 'amount'), 1005);
  t.equal(toMinorUnits(1500, 'JPY', 'amount'), 1500);
  t.throws(() => toMinorUnits(1.005, 'EUR', 'amount'), { code: 'invalid-amount', name: 'InvalidInputError' });
  t.throws(() => toMinorUnits(0.5, 'JPY', 'sum'), { code: 'invalid-amount', message: 'sum must have at most 0 fraction digits in JPY' });
  t.throws(() => toMinorUnits(Number.NaN, 'EUR', 'amount'), { code: 'invalid-amount' });
  t.equal(fromMinorUnits(1999, 'EUR'), 19.99);
  t.equal(fromMinorUnits(1005, 'KWD'), 1.005);
  t.equal(fromMinorUnits(1500, 'JPY'), 1500);
  t.equal(formatMoney(1005, 'KWD'), '1.005 KWD');
  t.equal(formatMoney(1500, 'JPY'), '1500 JPY');
});

t.test('MoneyLimits › a ceiling in major units applies in each currency, capped below 2^51 minor units', async (t) => {
  const limits = new MoneyLimits({ maxAmount: 100, maxBalance: 1e12 });
  t.doesNotThrow(() => limits.assertAmount(10_000, 'EUR', 'amount'), '100.00 EUR is at the limit');
  t.throws(() => limits.assertAmount(10_001, 'EUR', 'amount'), { code: 'amount-over-limit', name: 'RuleViolationError' });
  t.doesNotThrow(() => limits.assertAmount(100, 'JPY', 'amount'), '100 JPY is at the limit');
  t.throws(() => limits.assertAmount(101, 'JPY', 'amount'), { code: 'amount-over-limit' });
  t.throws(() => limits.assertAmount(100_001, 'KWD', 'amount'), { code: 'amount-over-limit' }, '100.001 KWD is above it');
  t.doesNotThrow(() => limits.assertBalance(1e15, 'KWD', 'sum'), '1e12 KWD is 1e15 minor units, below the cap');
  t.throws(() => limits.assertBalance(MAX_MINOR_UNITS + 1, 'UYW', 'sum'), { code: 'balance-over-limit' }, 'four-digit currencies hit the 2^51 cap first');
});

t.test('int8 columns › read as exact numbers; past 2^53 the read fails instead of rounding', async (t) => {
  t.equal(parseInt8('9007199254740991'), Number.MAX_SAFE_INTEGER);
  t.equal(parseInt8('-42'), -42);
  t.throws(() => parseInt8('9007199254740993'), RangeError);
});
