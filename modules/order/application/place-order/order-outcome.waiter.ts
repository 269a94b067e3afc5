import type { OrderStatus } from '../../domain/order.ts';

export interface OrderOutcome {
  orderId: number;
  status: Exclude<OrderStatus, 'PENDING'>;
  failureReason: string | null;
}

/** Reads an order's current status from the database. */
export type ReadOrderStatus = (orderId: number) => Promise<{ id: number; status: OrderStatus; failureReason: string | null } | null>;

/** Default for how often a waiting request re-reads its order when no settlement notice arrives. */
const FALLBACK_POLL_MS = 500;

/**
 * Lets `POST /orders` wait for its order's charge outcome. The order row is the truth: a waiter
 * re-reads it whenever {@link settled} is called for its order (the LISTEN connection relays the
 * NOTIFY of the transaction that settled it, from whichever process that was) and, as a safety
 * net for missed notices, every `pollMs`.
 */
export class OrderOutcomeWaiters {
  private readonly waiting = new Map<number, Set<Wakeup>>();

  constructor(private readonly read: ReadOrderStatus, private readonly pollMs = FALLBACK_POLL_MS) {}

  /** An order was settled (its transaction committed): wake whoever waits for it. */
  settled(orderId: number): void {
    for (const wakeup of this.waiting.get(orderId) ?? []) wakeup.wake();
  }

  /** The outcome once the order is settled, or undefined when `timeoutMs` passed first. */
  async waitForOutcome(orderId: number, timeoutMs: number): Promise<OrderOutcome | undefined> {
    const deadline = performance.now() + timeoutMs;
    const wakeup = new Wakeup();
    this.add(orderId, wakeup);
    try {
      for (;;) {
        // Armed before reading: a notice that lands between the read and the wait is not lost.
        wakeup.arm();
        const order = await this.read(orderId);
        if (order !== null && order.status !== 'PENDING') {
          return { orderId: order.id, status: order.status, failureReason: order.failureReason };
        }
        const remaining = deadline - performance.now();
        if (remaining <= 0) return undefined;
        await wakeup.wait(Math.min(remaining, this.pollMs));
      }
    } finally {
      this.remove(orderId, wakeup);
    }
  }

  /** How many requests are waiting (for tests and metrics). */
  get size(): number {
    let count = 0;
    for (const set of this.waiting.values()) count += set.size;
    return count;
  }

  private add(orderId: number, wakeup: Wakeup): void {
    const set = this.waiting.get(orderId) ?? new Set<Wakeup>();
    set.add(wakeup);
    this.waiting.set(orderId, set);
  }

  private remove(orderId: number, wakeup: Wakeup): void {
    const set = this.waiting.get(orderId);
    set?.delete(wakeup);
    if (set?.size === 0) this.waiting.delete(orderId);
  }
}

/** A one-shot signal that remembers a wake that came before the wait. */
class Wakeup {
  private woken = false;
  private resolve: (() => void) | undefined;

  arm(): void {
    this.woken = false;
  }

  wake(): void {
    this.woken = true;
    this.resolve?.();
  }

  wait(ms: number): Promise<void> {
    if (this.woken) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.resolve = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.resolve = done;
    });
  }
}
