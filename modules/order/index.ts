/** Public surface of the order module: what other modules may import. */
export { OrderCreated } from './contracts/events/order-created.event.ts';
