import { errorChain } from './error-chain.ts';

const CONNECTION_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);

/**
 * Driver messages without a code. "Client has encountered a connection error" is what a query gets
 * after a lost connection ended its transaction (our transactions are scoped, so nothing else
 * ends one early): the transaction rolled back with the connection. pg-pool's "timeout exceeded
 * when trying to connect" is a wait for a pooled connection that ran out. knex's messages for the
 * same two (MikroORM 6: "Transaction query already complete", "Timeout acquiring a connection")
 * are still recognised; nothing else says them.
 */
const UNAVAILABLE_MESSAGES =
  /Connection terminated|connection timeout|Timeout acquiring a connection|timeout exceeded when trying to connect|the database system is (starting up|shutting down)|Client has encountered a connection error|Transaction query already complete/i;

/**
 * True for errors that say the database is unreachable or restarting rather than that the work is
 * wrong: such work waits for the database instead of counting towards the dead-letter limit.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (const { code, message } of errorChain(error)) {
    if (typeof code === 'string' && (CONNECTION_ERROR_CODES.has(code) || code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03')) {
      return true;
    }
    if (UNAVAILABLE_MESSAGES.test(message)) {
      return true;
    }
  }
  return false;
}
