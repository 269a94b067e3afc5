import { Migration } from '@mikro-orm/migrations';

/**
 * What the operator console reads: which event caused which (causation and correlation ids, copied
 * from the envelope), the events of one key, and errors grouped by fingerprint — the error with
 * its ids and numbers replaced, so one failure hitting many payments is one group.
 */
export class EventJourney extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table messaging.outbox add column causation_id uuid, add column correlation_id uuid`);
    this.addSql(`create index outbox_causation_idx on messaging.outbox (causation_id) where causation_id is not null`);
    this.addSql(`create index outbox_correlation_idx on messaging.outbox (correlation_id) where correlation_id is not null`);
    this.addSql(`create index outbox_key_idx on messaging.outbox (message_key, id)`);
    this.addSql(`
      create function messaging.error_fingerprint(error text) returns text
        language sql immutable parallel safe returns null on null input
        return left(regexp_replace(regexp_replace(error,
          '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}', '<id>', 'gi'),
          '[0-9]+([.][0-9]+)?', '<n>', 'g'), 500)`);
    this.addSql(`alter table messaging.dead_letter add column fingerprint text generated always as (messaging.error_fingerprint(error)) stored`);
    this.addSql(`alter table messaging.parked_key add column fingerprint text generated always as (messaging.error_fingerprint(error)) stored`);
    this.addSql(`create index dead_letter_unsettled_idx on messaging.dead_letter (consumer, fingerprint) where redriven_at is null and skipped_at is null`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index messaging.dead_letter_unsettled_idx`);
    this.addSql(`alter table messaging.parked_key drop column fingerprint`);
    this.addSql(`alter table messaging.dead_letter drop column fingerprint`);
    this.addSql(`drop function messaging.error_fingerprint(text)`);
    this.addSql(`drop index messaging.outbox_key_idx`);
    this.addSql(`drop index messaging.outbox_correlation_idx`);
    this.addSql(`drop index messaging.outbox_causation_idx`);
    this.addSql(`alter table messaging.outbox drop column correlation_id, drop column causation_id`);
  }
}
