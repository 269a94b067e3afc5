import { BigIntType, EntitySchema } from '@mikro-orm/postgresql';
import { Profile } from '../domain/profile.ts';

export const ProfileEntity = new EntitySchema<Profile>({
  class: Profile,
  schema: 'profile',
  tableName: 'profile',
  properties: {
    id: { type: new BigIntType('number'), primary: true, autoincrement: true },
    login: { type: 'text', unique: true },
    fullName: { type: 'text', fieldName: 'full_name' },
    email: { type: 'text', unique: true },
    currency: { type: 'string', length: 3 },
    status: { type: 'text' },
    createdAt: { type: 'datetime', fieldName: 'created_at' },
    updatedAt: { type: 'datetime', fieldName: 'updated_at' },
  },
});
