import { BigIntType, EntitySchema } from '@mikro-orm/postgresql';
import { OrderItem } from '../domain/order-item.ts';
import { Order } from '../domain/order.ts';

// `order` is an SQL keyword, hence the schema `ordering` and the table `orders`.
export const OrderEntity = new EntitySchema<Order>({
  class: Order,
  schema: 'ordering',
  tableName: 'orders',
  properties: {
    id: { type: new BigIntType('number'), primary: true, autoincrement: true },
    login: { type: 'text' },
    amount: { type: new BigIntType('number') },
    currency: { type: 'string', length: 3 },
    status: { type: 'text' },
    chargeId: { type: new BigIntType('number'), fieldName: 'charge_id', nullable: true },
    failureReason: { type: 'text', fieldName: 'failure_reason', nullable: true },
    createdAt: { type: 'datetime', fieldName: 'created_at' },
    updatedAt: { type: 'datetime', fieldName: 'updated_at' },
    // The lines live in ordering.order_item; the repository loads and saves them.
    items: { type: 'json', persist: false, hydrate: false },
  },
});

export const OrderItemEntity = new EntitySchema<OrderItem>({
  class: OrderItem,
  schema: 'ordering',
  tableName: 'order_item',
  properties: {
    id: { type: new BigIntType('number'), primary: true, autoincrement: true },
    orderId: { type: new BigIntType('number'), fieldName: 'order_id' },
    position: { type: 'integer' },
    name: { type: 'text' },
    quantity: { type: 'integer' },
    unitPrice: { type: new BigIntType('number'), fieldName: 'unit_price' },
  },
});
