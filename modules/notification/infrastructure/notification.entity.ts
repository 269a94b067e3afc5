import { BigIntType, EntitySchema } from '@mikro-orm/postgresql';
import { AccountEntry, PersonEntry } from '../domain/directory.ts';
import { Notification } from '../domain/notification.ts';

export const NotificationEntity = new EntitySchema<Notification>({
  class: Notification,
  schema: 'notification',
  tableName: 'message',
  properties: {
    id: { type: new BigIntType('number'), primary: true, autoincrement: true },
    sourceEventId: { type: 'uuid', fieldName: 'source_event_id', unique: true },
    eventType: { type: 'text', fieldName: 'event_type' },
    kind: { type: 'text' },
    text: { type: 'text' },
    userId: { type: new BigIntType('number'), fieldName: 'user_id', nullable: true },
    accountId: { type: new BigIntType('number'), fieldName: 'account_id', nullable: true },
    login: { type: 'text', nullable: true },
    occurredAt: { type: 'datetime', fieldName: 'occurred_at' },
    createdAt: { type: 'datetime', fieldName: 'created_at' },
  },
});

export const PersonEntryEntity = new EntitySchema<PersonEntry>({
  class: PersonEntry,
  schema: 'notification',
  tableName: 'directory_person',
  properties: {
    userId: { type: new BigIntType('number'), fieldName: 'user_id', primary: true, autoincrement: false },
    login: { type: 'text' },
  },
});

export const AccountEntryEntity = new EntitySchema<AccountEntry>({
  class: AccountEntry,
  schema: 'notification',
  tableName: 'directory_account',
  properties: {
    accountId: { type: new BigIntType('number'), fieldName: 'account_id', primary: true, autoincrement: false },
    userId: { type: new BigIntType('number'), fieldName: 'user_id' },
  },
});
