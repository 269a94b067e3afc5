/** Public surface of the account module: what other modules may import. */
export { AccountCreated } from './contracts/events/account-created.ts';
export { AccountBalanceChanged } from './contracts/events/account-balance-changed.ts';
export { AccountUpdated } from './contracts/events/account-updated.ts';
export { AccountSuspended } from './contracts/events/account-suspended.ts';
export { AccountClosed } from './contracts/events/account-closed.ts';
export { AccountFundsReserved } from './contracts/events/account-funds-reserved.ts';
export { AccountFundsRejected } from './contracts/events/account-funds-rejected.ts';
export { AccountChargeDebited } from './contracts/events/account-charge-debited.ts';
export { AccountChargeRejected } from './contracts/events/account-charge-rejected.ts';
export { ACCOUNT_QUERY_API, accountQueryApiOverHttp } from './contracts/account.api.ts';
export type { AccountQueryApi, AccountSnapshot } from './contracts/account.api.ts';
