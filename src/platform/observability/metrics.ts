import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Every metric the platform exports on `/metrics`, created once per process. */
export class Metrics {
  readonly registry = new Registry();

  readonly outboxBacklog = new Gauge({
    name: 'outbox_backlog',
    help: 'Unpublished outbox rows',
    registers: [this.registry],
  });

  readonly outboxOldestAge = new Gauge({
    name: 'outbox_oldest_unpublished_age_seconds',
    help: 'Age of the oldest unpublished outbox row',
    registers: [this.registry],
  });

  readonly parkedKeys = new Gauge({
    name: 'consumer_parked_keys',
    help: 'Keys parked behind a dead letter, per consumer group',
    labelNames: ['consumer'] as const,
    registers: [this.registry],
  });

  readonly parkedMessages = new Gauge({
    name: 'consumer_parked_messages',
    help: 'Messages waiting behind parked keys, per consumer group',
    labelNames: ['consumer'] as const,
    registers: [this.registry],
  });

  readonly parkedOldestAge = new Gauge({
    name: 'consumer_parked_oldest_age_seconds',
    help: 'How long the longest-parked key of the consumer group has waited',
    labelNames: ['consumer'] as const,
    registers: [this.registry],
  });

  readonly heldKeys = new Gauge({
    name: 'consumer_held_keys',
    help: 'Keys held while the consumer group retries their failed message (not yet dead-lettered)',
    labelNames: ['consumer'] as const,
    registers: [this.registry],
  });

  readonly relayPublished = new Counter({
    name: 'relay_published_total',
    help: 'Events published by the relay',
    labelNames: ['topic'] as const,
    registers: [this.registry],
  });

  readonly relayFailures = new Counter({
    name: 'relay_publish_failures_total',
    help: 'Relay batches that the transport refused',
    registers: [this.registry],
  });

  readonly relayLatency = new Histogram({
    name: 'relay_publish_latency_seconds',
    help: 'Time from outbox commit to publication',
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly consumerMessages = new Counter({
    name: 'consumer_messages_total',
    help: 'Messages seen by consumers, by outcome (processed, duplicate, retried, dead_lettered, skipped)',
    labelNames: ['consumer', 'topic', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly handlerDuration = new Histogram({
    name: 'consumer_handler_duration_seconds',
    help: 'Handler transaction time',
    labelNames: ['consumer', 'topic'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request time',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly transactionConflicts = new Counter({
    name: 'db_transaction_conflicts_total',
    help: 'Transactions PostgreSQL aborted in a deadlock or serialization failure, by what followed (retried, gave_up)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Lets a component refresh gauges right before a scrape (e.g. the outbox backlog query). */
  onScrape(refresh: () => Promise<void>): void {
    this.scrapeHooks.push(refresh);
  }

  async render(): Promise<string> {
    await Promise.allSettled(this.scrapeHooks.map((refresh) => refresh()));
    return this.registry.metrics();
  }

  private readonly scrapeHooks: Array<() => Promise<void>> = [];
}
