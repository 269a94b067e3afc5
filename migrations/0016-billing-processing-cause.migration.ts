import { Migration } from '@mikro-orm/migrations';

/**
 * A scheduled payment remembers the work that scheduled it (trace, causing event, correlation), so
 * the `billing.payment.processed` written when it is due continues that chain instead of starting one.
 */
export class BillingProcessingCause extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table billing.payment_processing add column cause jsonb`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table billing.payment_processing drop column cause`);
  }
}
