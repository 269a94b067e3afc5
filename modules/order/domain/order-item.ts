/** One line of an order; `unitPrice` in integer minor units. */
export class OrderItem {
  id!: number;
  orderId!: number;
  /** 0-based place of the line in the order as it was placed. */
  position!: number;
  name!: string;
  quantity!: number;
  unitPrice!: number;

  static line(input: { name: string; quantity: number; unitPrice: number }, position: number): OrderItem {
    const item = new OrderItem();
    item.position = position;
    item.name = input.name;
    item.quantity = input.quantity;
    item.unitPrice = input.unitPrice;
    return item;
  }

  /** Ties the line to its order once the order has an id. */
  belongTo(orderId: number): void {
    this.orderId = orderId;
  }
}
