import { errorChain } from './error-chain.ts';

const CONNECTION_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);

/**
 * True for errors that say the database is unreachable or restarting rather than that the work is
 * wrong: such work waits for the database instead of counting towards the dead-letter limit.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (const { code, message } of errorChain(error)) {
    if (typeof code === 'string' && (CONNECTION_ERROR_CODES.has(code) || code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03')) {
      return true;
    }
    if (/Connection terminated|connection timeout|Timeout acquiring a connection|the database system is (starting up|shutting down)|Client has encountered a connection error/i.test(message)) {
      return true;
    }
  }
  return false;
}
