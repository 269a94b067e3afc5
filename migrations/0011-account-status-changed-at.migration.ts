import { Migration } from '@mikro-orm/migrations';

/**
 * When an account's status last changed, so that a handler can tell a decision made after an
 * event from one made before it: a CRITICAL fraud signal delivered again after an operator
 * reactivated the account must not suspend it again, inbox row or not. Existing rows take their
 * creation time while they never left ACTIVE, else their last update (never earlier than the change).
 */
export class AccountStatusChangedAt extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table account.account add column status_changed_at timestamptz`);
    this.addSql(`update account.account set status_changed_at =
                   case when status = 'ACTIVE' and status_reason is null and created_at = updated_at then created_at else updated_at end`);
    this.addSql(`alter table account.account alter column status_changed_at set not null`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table account.account drop column status_changed_at`);
  }
}
