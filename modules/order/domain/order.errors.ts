import { InvalidInputError } from '../../../src/platform/errors.ts';

export class OrderAmountTooLargeError extends InvalidInputError {
  constructor() {
    super('order-amount-too-large', 'The order total (quantity × unitPrice over the lines) is too large to be exact');
    this.withField('items', 'the total of quantity × unitPrice is too large');
  }
}

/** A settled order got the opposite outcome: not a result of a correct exchange, so it goes to an operator. */
export class OrderAlreadySettledError extends Error {
  constructor(orderId: number, status: string, outcome: string) {
    super(`order ${orderId} is already ${status}; refusing the contradicting outcome ${outcome}`);
    this.name = 'OrderAlreadySettledError';
  }
}
