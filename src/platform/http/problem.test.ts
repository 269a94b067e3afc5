import t from 'tap';
import { ConflictError, InvalidInputError, NotFoundError, RuleViolationError, UnavailableError } from '../errors.ts';
import { ProblemError, refusalProblem, statusOf } from './problem.ts';

class InsufficientFunds extends RuleViolationError {
  constructor() {
    super('insufficient-funds', 'Available 5.00 EUR, asked 9.00 EUR');
  }
}

t.test('the HTTP edge gives each kind of refusal its status; the errors themselves carry none', async (t) => {
  t.equal(statusOf(new InvalidInputError('items-or-amount', 'give one')), 400);
  t.equal(statusOf(new NotFoundError('account')), 404);
  t.equal(statusOf(new ConflictError('profile-exists', 'taken')), 409);
  t.equal(statusOf(new RuleViolationError('suspended', 'no')), 422);
  t.equal(statusOf(new InsufficientFunds()), 422, 'a module\'s refusal answers as the kind it extends');
  t.equal(statusOf(new UnavailableError('account-lookup-unavailable', 'Account lookup unavailable', 'down')), 503);
  t.equal(statusOf(new ProblemError(429, 'rate-limited', 'Too many requests')), 429, 'an edge-only problem keeps its own');
  t.notOk('status' in new InsufficientFunds(), 'a domain error has no status');
});

t.test('a refusal becomes a problem with its code, title, detail and fields', async (t) => {
  const error = new InvalidInputError('invalid-amount', 'amount has 3 decimals').withField('amount', 'at most 2 decimals');
  t.same(refusalProblem(error), {
    type: '/problems/invalid-amount', title: 'Bad request', status: 400, code: 'invalid-amount', detail: 'amount has 3 decimals',
    errors: [{ in: 'body', field: '/amount', message: 'at most 2 decimals' }],
  });
});
