import { Migration } from '@mikro-orm/migrations';

/**
 * Outbox keys the transport keeps refusing while it accepts other keys: held back with a growing
 * delay, then parked for an operator after RELAY_MAX_ATTEMPTS refusals. The claim skips a held
 * key's rows, so its later rows wait and every other key flows.
 */
export class OutboxKeyHolds extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table messaging.outbox_key_hold (
        message_key text primary key,
        outbox_id bigint not null,
        refusals integer not null,
        error text not null,
        retry_at timestamptz,
        held_at timestamptz not null default now(),
        parked_at timestamptz
      )`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table messaging.outbox_key_hold`);
  }
}
