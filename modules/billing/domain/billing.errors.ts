/**
 * The account module answered a charge twice with contradicting outcomes. This cannot follow from
 * a correct exchange, so the handler fails and the message ends in the dead-letter table for an operator.
 */
export class ChargeAlreadySettledError extends Error {
  constructor(chargeId: number, status: string, answer: string) {
    super(`charge ${chargeId} is already ${status}; refusing the contradicting answer ${answer}`);
    this.name = 'ChargeAlreadySettledError';
  }
}
