import { MAX_AMOUNT } from '../../../src/platform/money.ts';
import { OrderAmountTooLargeError } from './order.errors.ts';

/** The largest order total, in minor units: the same ceiling as any single amount a request may carry. */
export const MAX_ORDER_TOTAL_MINOR = MAX_AMOUNT * 100;

/**
 * Sum of quantity × unit price over the lines, exactly, in minor units. BigInt keeps every
 * intermediate product exact even where it would pass 2^53; the result is then bounded.
 */
export function orderTotal(lines: ReadonlyArray<{ quantity: number; unitPrice: number }>): number {
  const total = lines.reduce((sum, line) => sum + BigInt(line.quantity) * BigInt(line.unitPrice), 0n);
  if (total > BigInt(MAX_ORDER_TOTAL_MINOR)) throw new OrderAmountTooLargeError(MAX_ORDER_TOTAL_MINOR);
  return Number(total);
}
