import { BigIntType, EntitySchema } from '@mikro-orm/postgresql';
import { Account } from '../domain/account.ts';
import { LedgerEntry } from '../domain/ledger-entry.ts';

export const AccountEntity = new EntitySchema<Account>({
  class: Account,
  schema: 'account',
  tableName: 'account',
  properties: {
    id: { type: new BigIntType('number'), primary: true, autoincrement: true },
    userId: { type: new BigIntType('number'), fieldName: 'user_id', unique: true },
    login: { type: 'text', unique: true },
    currency: { type: 'string', length: 3 },
    accountType: { type: 'text', fieldName: 'account_type' },
    status: { type: 'text' },
    balance: { type: new BigIntType('number') },
    reserved: { type: new BigIntType('number') },
    statusReason: { type: 'text', fieldName: 'status_reason', nullable: true },
    suspendedUntil: { type: 'datetime', fieldName: 'suspended_until', nullable: true },
    statusChangedAt: { type: 'datetime', fieldName: 'status_changed_at' },
    createdAt: { type: 'datetime', fieldName: 'created_at' },
    updatedAt: { type: 'datetime', fieldName: 'updated_at' },
  },
});

export const LedgerEntryEntity = new EntitySchema<LedgerEntry>({
  class: LedgerEntry,
  schema: 'account',
  tableName: 'ledger_entry',
  properties: {
    id: { type: new BigIntType('number'), primary: true, autoincrement: true },
    accountId: { type: new BigIntType('number'), fieldName: 'account_id' },
    kind: { type: 'text' },
    amount: { type: new BigIntType('number') },
    balanceAfter: { type: new BigIntType('number'), fieldName: 'balance_after' },
    reference: { type: 'text', nullable: true },
    createdAt: { type: 'datetime', fieldName: 'created_at' },
  },
});
