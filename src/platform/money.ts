import { Type } from 'typebox';
import { InvalidInputError, RuleViolationError } from './errors.ts';

/**
 * The largest amount any request may carry, in major units, whatever the configured limits: the
 * schemas say so. The configured limits (MONEY_MAX_AMOUNT, MONEY_MAX_BALANCE) sit at or below it.
 */
export const MONEY_CEILING = 1_000_000_000_000;

/**
 * No amount or balance in minor units passes 2^51, so a balance plus an amount (or the sum of
 * two balances) is still an exact integer. It binds only for currencies with 4 minor digits (UYW);
 * for the others MONEY_CEILING is lower.
 */
export const MAX_MINOR_UNITS = 2 ** 51;

const ISO_4217 = new Set(Intl.supportedValuesOf('currency'));
const minorDigitsByCurrency = new Map<string, number>();

/** A positive money amount in major units, e.g. `150.75`; the currency decides how many fraction digits it may have. */
export function MoneyAmount(description: string) {
  return Type.Number({ exclusiveMinimum: 0, maximum: MONEY_CEILING, description, examples: [150.75] });
}

/** A signed or zero amount as it appears in responses and events. */
export const MoneyValue = Type.Number({ examples: [150.75] });

export const CurrencyCode = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 currency code', examples: ['EUR'] });

/**
 * The currency's ISO 4217 minor-unit exponent (EUR 2, JPY 0, KWD 3), as the runtime's ICU data
 * knows it: one source kept current with the standard instead of a table of our own.
 */
export function minorDigits(currency: string): number {
  let digits = minorDigitsByCurrency.get(currency);
  if (digits === undefined) {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    minorDigitsByCurrency.set(currency, digits);
  }
  return digits;
}

/** Converts a JSON amount to integer minor units of its currency, refusing over-precise values such as `1.005` EUR or `1.5` JPY. */
export function toMinorUnits(amount: number, currency: string, field: string): number {
  const digits = minorDigits(currency);
  const scale = 10 ** digits;
  const minor = Math.round(amount * scale);
  if (!Number.isFinite(amount) || minor / scale !== amount || !Number.isSafeInteger(minor)) {
    const rule = `must have at most ${digits} fraction digits in ${currency}`;
    throw new InvalidInputError('invalid-amount', `${field} ${rule}`).withField(field, rule);
  }
  return minor;
}

export function fromMinorUnits(minor: number, currency: string): number {
  return minor / 10 ** minorDigits(currency);
}

/** `12.50 EUR`, `1250 JPY`: for problem details and log lines. */
export function formatMoney(minor: number, currency: string): string {
  const digits = minorDigits(currency);
  return `${(minor / 10 ** digits).toFixed(digits)} ${currency}`;
}

export function assertCurrency(code: string, field: string): string {
  if (!ISO_4217.has(code)) {
    throw new InvalidInputError('unknown-currency', `${field} "${code}" is not an ISO 4217 currency code`).withField(field, 'unknown currency');
  }
  return code;
}

/** In major units, as MONEY_MAX_AMOUNT and MONEY_MAX_BALANCE configure them. */
export interface MoneyLimitSettings {
  maxAmount: number;
  maxBalance: number;
}

/** The configured ceilings on a single amount and on a balance, in each currency's minor units. */
export class MoneyLimits {
  constructor(private readonly settings: MoneyLimitSettings) {}

  /** Refuses a single amount (payment, deposit, withdrawal, order) above MONEY_MAX_AMOUNT. */
  assertAmount(minor: number, currency: string, field: string): void {
    const limit = ceilingInMinorUnits(this.settings.maxAmount, currency);
    if (minor > limit) {
      throw new RuleViolationError('amount-over-limit', `${field} may not exceed ${formatMoney(limit, currency)}`)
        .withField(field, `at most ${formatMoney(limit, currency)}`);
    }
  }

  /** Refuses a deposit that would take a balance above MONEY_MAX_BALANCE. */
  assertBalance(balanceMinor: number, currency: string, field: string): void {
    const limit = ceilingInMinorUnits(this.settings.maxBalance, currency);
    if (balanceMinor > limit) {
      throw new RuleViolationError('balance-over-limit', `The balance may not exceed ${formatMoney(limit, currency)}`)
        .withField(field, `would take the balance to ${formatMoney(balanceMinor, currency)}`);
    }
  }
}

function ceilingInMinorUnits(major: number, currency: string): number {
  return Math.min(Math.floor(major * 10 ** minorDigits(currency)), MAX_MINOR_UNITS);
}
