/** Public surface of the account module: what other modules may import. */
export { AccountCreated } from './contracts/events/account-created.ts';
export { AccountBalanceChanged } from './contracts/events/account-balance-changed.ts';
