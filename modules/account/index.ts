/** Public surface of the account module: what other modules may import. */
export { AccountCreated } from './contracts/events/account-created.event.ts';
export { AccountBalanceChanged } from './contracts/events/account-balance-changed.event.ts';
export { AccountUpdated } from './contracts/events/account-updated.event.ts';
export { AccountSuspended } from './contracts/events/account-suspended.event.ts';
export { AccountClosed } from './contracts/events/account-closed.event.ts';
export { AccountFundsReserved } from './contracts/events/account-funds-reserved.event.ts';
export { AccountFundsRejected } from './contracts/events/account-funds-rejected.event.ts';
export { AccountChargeDebited } from './contracts/events/account-charge-debited.event.ts';
export { AccountChargeRejected } from './contracts/events/account-charge-rejected.event.ts';
export { ACCOUNT_QUERY_API, accountQueryApiOverHttp } from './contracts/account.api.ts';
export type { AccountQueryApi, AccountSnapshot } from './contracts/account.api.ts';
