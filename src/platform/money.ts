import { Type } from 'typebox';
import { BadRequestError } from './errors.ts';

/** The largest amount any request may carry: 1e12 in major units (far below 2^53 minor units). */
export const MAX_AMOUNT = 1_000_000_000_000;

const ISO_4217 = new Set(Intl.supportedValuesOf('currency'));

/** A positive money amount in major units with at most two fraction digits, e.g. `150.75`. */
export function MoneyAmount(description: string) {
  return Type.Number({ exclusiveMinimum: 0, maximum: MAX_AMOUNT, description, examples: [150.75] });
}

/** A signed or zero amount as it appears in responses and events. */
export const MoneyValue = Type.Number({ examples: [150.75] });

export const CurrencyCode = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 currency code', examples: ['EUR'] });

/** Converts a JSON amount to integer minor units, refusing over-precise values such as `1.005`. */
export function toMinorUnits(amount: number, field: string): number {
  const minor = Math.round(amount * 100);
  if (!Number.isFinite(amount) || minor / 100 !== amount || !Number.isSafeInteger(minor)) {
    throw new BadRequestError('invalid-amount', `${field} must have at most 2 fraction digits`).withField(field, 'must have at most 2 fraction digits');
  }
  return minor;
}

export function fromMinorUnits(minor: number): number {
  return minor / 100;
}

export function assertCurrency(code: string, field: string): string {
  if (!ISO_4217.has(code)) {
    throw new BadRequestError('unknown-currency', `${field} "${code}" is not an ISO 4217 currency code`).withField(field, 'unknown currency');
  }
  return code;
}
