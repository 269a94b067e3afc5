import type { FastifyRequest } from 'fastify';
import { pino } from 'pino';
import t from 'tap';
import { toProblem } from '../http/problem.ts';
import { isTransactionConflict } from './transaction.ts';

function pgError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

t.test('deadlocks and serialization failures are transaction conflicts, wrapped or not; other errors are not', async (t) => {
  t.ok(isTransactionConflict(pgError('40P01', 'deadlock detected')));
  t.ok(isTransactionConflict(pgError('40001', 'could not serialize access due to concurrent update')));
  t.ok(isTransactionConflict(new Error('query failed', { cause: pgError('40P01', 'deadlock detected') })), 'found through cause');
  t.notOk(isTransactionConflict(pgError('23505', 'duplicate key value violates unique constraint')));
  t.notOk(isTransactionConflict(new Error('deadlock detected')), 'by code, not by message');
  t.notOk(isTransactionConflict('40P01'));
});

t.test('a request whose every attempt ended in a conflict answers 503 transaction-conflict, not 500', async (t) => {
  const request = { url: '/account/operation', method: 'PUT' } as FastifyRequest;
  const body = toProblem(pgError('40P01', 'deadlock detected'), request, pino({ level: 'silent' }));
  t.match(body, { status: 503, code: 'transaction-conflict', type: '/problems/transaction-conflict', instance: '/account/operation' });
});
