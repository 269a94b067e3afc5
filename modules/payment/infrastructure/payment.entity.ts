import { BigIntType, EntitySchema } from '@mikro-orm/postgresql';
import { KnownAccount } from '../domain/known-account.ts';
import { Payment } from '../domain/payment.ts';

export const PaymentEntity = new EntitySchema<Payment>({
  class: Payment,
  schema: 'payment',
  tableName: 'payment',
  properties: {
    id: { type: new BigIntType('number'), primary: true, autoincrement: true },
    accountId: { type: new BigIntType('number'), fieldName: 'account_id' },
    userId: { type: new BigIntType('number'), fieldName: 'user_id' },
    userName: { type: 'text', fieldName: 'user_name', nullable: true },
    amount: { type: new BigIntType('number') },
    currency: { type: 'string', length: 3 },
    transactionType: { type: 'text', fieldName: 'transaction_type' },
    description: { type: 'text', nullable: true },
    status: { type: 'text' },
    reason: { type: 'text', nullable: true },
    createdAt: { type: 'datetime', fieldName: 'created_at' },
    updatedAt: { type: 'datetime', fieldName: 'updated_at' },
    completedAt: { type: 'datetime', fieldName: 'completed_at', nullable: true },
  },
});

export const KnownAccountEntity = new EntitySchema<KnownAccount>({
  class: KnownAccount,
  schema: 'payment',
  tableName: 'account_cache',
  properties: {
    accountId: { type: new BigIntType('number'), primary: true, fieldName: 'account_id', autoincrement: false },
    userId: { type: new BigIntType('number'), fieldName: 'user_id' },
    login: { type: 'text', nullable: true },
    currency: { type: 'string', length: 3, nullable: true },
    status: { type: 'text' },
    balance: { type: new BigIntType('number'), nullable: true },
    updatedAt: { type: 'datetime', fieldName: 'updated_at' },
  },
});
