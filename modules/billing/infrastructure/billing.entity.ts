import { BigIntType, EntitySchema } from '@mikro-orm/postgresql';
import { Charge } from '../domain/charge.ts';
import { PaymentProcessing } from '../domain/payment-processing.ts';

export const PaymentProcessingEntity = new EntitySchema<PaymentProcessing>({
  class: PaymentProcessing,
  schema: 'billing',
  tableName: 'payment_processing',
  properties: {
    id: { type: new BigIntType('number'), primary: true, autoincrement: true },
    paymentId: { type: new BigIntType('number'), fieldName: 'payment_id', unique: true },
    accountId: { type: new BigIntType('number'), fieldName: 'account_id' },
    amount: { type: new BigIntType('number') },
    currency: { type: 'string', length: 3 },
    transactionType: { type: 'text', fieldName: 'transaction_type' },
    status: { type: 'text' },
    receivedAt: { type: 'datetime', fieldName: 'received_at' },
    dueAt: { type: 'datetime', fieldName: 'due_at' },
    outcome: { type: 'text', nullable: true },
    failureReason: { type: 'text', fieldName: 'failure_reason', nullable: true },
    processedAt: { type: 'datetime', fieldName: 'processed_at', nullable: true },
    cause: { type: 'json', nullable: true },
  },
});

export const ChargeEntity = new EntitySchema<Charge>({
  class: Charge,
  schema: 'billing',
  tableName: 'charge',
  properties: {
    id: { type: new BigIntType('number'), primary: true, autoincrement: true },
    orderId: { type: new BigIntType('number'), fieldName: 'order_id', unique: true },
    login: { type: 'text' },
    accountId: { type: new BigIntType('number'), fieldName: 'account_id', nullable: true },
    amount: { type: new BigIntType('number') },
    currency: { type: 'string', length: 3 },
    status: { type: 'text' },
    failureReason: { type: 'text', fieldName: 'failure_reason', nullable: true },
    createdAt: { type: 'datetime', fieldName: 'created_at' },
    updatedAt: { type: 'datetime', fieldName: 'updated_at' },
  },
});
