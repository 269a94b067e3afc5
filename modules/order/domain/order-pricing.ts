import { MAX_MINOR_UNITS } from '../../../src/platform/money.ts';
import { OrderAmountTooLargeError } from './order.errors.ts';

/**
 * Sum of quantity × unit price over the lines, exactly, in minor units. BigInt keeps every
 * intermediate product exact even where it would pass 2^53; a total past MAX_MINOR_UNITS is
 * refused, never rounded. The configured MONEY_MAX_AMOUNT is the use case's to apply.
 */
export function orderTotal(lines: ReadonlyArray<{ quantity: number; unitPrice: number }>): number {
  const total = lines.reduce((sum, line) => sum + BigInt(line.quantity) * BigInt(line.unitPrice), 0n);
  if (total > BigInt(MAX_MINOR_UNITS)) throw new OrderAmountTooLargeError();
  return Number(total);
}
