import { Migration } from '@mikro-orm/migrations';

/**
 * When the account module changed the cached status: account.suspended, account.closed and
 * account.updated travel on different topics and may arrive in any order, so the cache keeps the
 * newest change instead of the last one to arrive.
 */
export class PaymentAccountStatusTime extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table payment.account_cache add column status_changed_at timestamptz`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table payment.account_cache drop column status_changed_at`);
  }
}
