import { BigIntType, EntitySchema } from '@mikro-orm/postgresql';
import { Hold } from '../domain/hold.ts';

export const HoldEntity = new EntitySchema<Hold>({
  class: Hold,
  schema: 'account',
  tableName: 'hold',
  properties: {
    id: { type: new BigIntType('number'), primary: true, autoincrement: true },
    paymentId: { type: new BigIntType('number'), fieldName: 'payment_id', unique: true },
    accountId: { type: new BigIntType('number'), fieldName: 'account_id' },
    amount: { type: new BigIntType('number') },
    status: { type: 'text' },
    createdAt: { type: 'datetime', fieldName: 'created_at' },
    updatedAt: { type: 'datetime', fieldName: 'updated_at' },
  },
});
