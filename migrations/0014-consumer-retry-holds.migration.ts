import { Migration } from '@mikro-orm/migrations';

/**
 * A key whose message failed is held for a background retry instead of blocking its partition
 * while the retries wait: the failed message heads the key's parked queue, the key's row carries no
 * dead letter yet, and `attempts`/`retry_at` say how far the retries got and when the next is due.
 * After the last attempt the message is dead-lettered and the row parks the key for an operator.
 */
export class ConsumerRetryHolds extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table messaging.parked_key alter column dead_letter_id drop not null`);
    this.addSql(`alter table messaging.parked_key add column attempts integer not null default 0`);
    this.addSql(`alter table messaging.parked_key add column retry_at timestamptz`);
    this.addSql(`create index parked_key_retry_idx on messaging.parked_key (consumer, retry_at) where dead_letter_id is null`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index messaging.parked_key_retry_idx`);
    this.addSql(`delete from messaging.parked_key where dead_letter_id is null`);
    this.addSql(`alter table messaging.parked_key drop column retry_at`);
    this.addSql(`alter table messaging.parked_key drop column attempts`);
    this.addSql(`alter table messaging.parked_key alter column dead_letter_id set not null`);
  }
}
