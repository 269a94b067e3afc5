import { Migration } from '@mikro-orm/migrations';

/**
 * Idempotency keys scoped per route and caller, with an expiry the pruner deletes by. A key's row
 * is now written in the business transaction, so a row without a response can no longer be seen
 * by anyone else: such rows left by the earlier design (requests that crashed) are dropped.
 */
export class IdempotencyScope extends Migration {
  override async up(): Promise<void> {
    this.addSql(`delete from messaging.idempotency_key where status_code is null`);
    this.addSql(`alter table messaging.idempotency_key rename column scope to route`);
    this.addSql(`alter table messaging.idempotency_key add column caller text not null default ''`);
    this.addSql(`alter table messaging.idempotency_key add column expires_at timestamptz`);
    this.addSql(`update messaging.idempotency_key set expires_at = created_at + interval '24 hours'`);
    this.addSql(`alter table messaging.idempotency_key alter column expires_at set not null`);
    this.addSql(`alter table messaging.idempotency_key alter column caller drop default`);
    this.addSql(`alter table messaging.idempotency_key drop constraint idempotency_key_pkey`);
    this.addSql(`alter table messaging.idempotency_key add primary key (route, caller, key)`);
    this.addSql(`create index idempotency_key_expires_at on messaging.idempotency_key (expires_at)`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index messaging.idempotency_key_expires_at`);
    this.addSql(`alter table messaging.idempotency_key drop constraint idempotency_key_pkey`);
    this.addSql(`delete from messaging.idempotency_key a using messaging.idempotency_key b
                 where a.route = b.route and a.key = b.key and a.ctid < b.ctid`);
    this.addSql(`alter table messaging.idempotency_key drop column expires_at, drop column caller`);
    this.addSql(`alter table messaging.idempotency_key rename column route to scope`);
    this.addSql(`alter table messaging.idempotency_key add primary key (scope, key)`);
  }
}
