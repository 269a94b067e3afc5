import type { Clock } from '../../../../src/platform/clock.ts';
import type { UnitOfWork } from '../../../../src/platform/db/unit-of-work.ts';
import { InvalidInputError } from '../../../../src/platform/errors.ts';
import type { EventData } from '../../../../src/platform/messaging/contract.ts';
import { assertCurrency, fromMinorUnits, toMinorUnits, type MoneyLimits } from '../../../../src/platform/money.ts';
import { OrderCreated } from '../../contracts/events/order-created.event.ts';
import { Order, type OrderPricing } from '../../domain/order.ts';
import { saveNewOrder } from '../../infrastructure/order.repository.ts';

export interface PlaceOrder {
  login: string;
  items?: Array<{ name: string; quantity: number; unitPrice: number }> | undefined;
  amount?: number | undefined;
  currency?: string | undefined;
}

export const DEFAULT_CURRENCY = 'EUR';

export interface PlaceOrderDeps {
  clock: Clock;
  limits: MoneyLimits;
}

/**
 * Saves a PENDING order and `order.created` in one unit of work; billing charges it from
 * there. The total, given or summed from the lines, is one amount under MONEY_MAX_AMOUNT.
 */
export async function placeOrder(uow: UnitOfWork, { clock, limits }: PlaceOrderDeps, command: PlaceOrder): Promise<Order> {
  const currency = assertCurrency(command.currency ?? DEFAULT_CURRENCY, 'currency');
  const order = Order.place({ login: command.login, currency, pricing: pricingOf(command, currency) }, clock.now());
  limits.assertAmount(order.amount, currency, command.amount === undefined ? 'items' : 'amount');
  await saveNewOrder(uow.em, order);
  uow.publish(OrderCreated, orderCreatedEvent(order));
  return order;
}

function pricingOf(command: PlaceOrder, currency: string): OrderPricing {
  if ((command.items === undefined) === (command.amount === undefined)) {
    throw new InvalidInputError('items-or-amount', 'Give either items or amount, not both and not neither')
      .withField(command.items === undefined ? 'items' : 'amount', 'give exactly one of items and amount');
  }
  if (command.amount !== undefined) return { kind: 'amount', amount: toMinorUnits(command.amount, currency, 'amount') };
  return {
    kind: 'items',
    items: command.items!.map((item, index) => ({
      name: item.name,
      quantity: item.quantity,
      unitPrice: toMinorUnits(item.unitPrice, currency, `items/${index}/unitPrice`),
    })),
  };
}

function orderCreatedEvent(order: Order): EventData<typeof OrderCreated> {
  return {
    orderId: order.id,
    login: order.login,
    amount: fromMinorUnits(order.amount, order.currency),
    currency: order.currency,
    items: order.items.map((item) => ({ name: item.name, quantity: item.quantity, unitPrice: fromMinorUnits(item.unitPrice, order.currency) })),
    createdAt: order.createdAt.toISOString(),
  };
}
