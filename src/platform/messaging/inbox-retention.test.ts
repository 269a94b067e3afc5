import t from 'tap';
import { ConfigError } from '../../config.ts';
import { assertInboxOutlivesRedelivery } from './inbox-retention.ts';

const HOUR = 3_600_000;

t.test('assertInboxOutlivesRedelivery › an inbox kept as long as the topic keeps messages, or longer, is accepted', async (t) => {
  t.doesNotThrow(() => assertInboxOutlivesRedelivery(168, { ms: 168 * HOUR, topic: 'payment.completed' }));
  t.doesNotThrow(() => assertInboxOutlivesRedelivery(200, { ms: 168 * HOUR, topic: 'payment.completed' }));
  t.doesNotThrow(() => assertInboxOutlivesRedelivery(1, undefined), 'nothing to check (local transport, or configs not readable)');
});

t.test('assertInboxOutlivesRedelivery › an inbox forgotten before the topic lets go of its messages stops the start, naming the variable, the topic and the hours needed', async (t) => {
  t.throws(() => assertInboxOutlivesRedelivery(24, { ms: 168 * HOUR + 1, topic: 'payment.completed' }),
    ConfigError, 'a configuration error');
  t.throws(() => assertInboxOutlivesRedelivery(24, { ms: 168 * HOUR, topic: 'payment.completed' }),
    { message: /^INBOX_RETENTION_HOURS must be at least 168 \(got 24\): topic payment\.completed keeps messages 168 h \(retention\.ms=604800000\)/ });
  t.throws(() => assertInboxOutlivesRedelivery(1, { ms: 90 * 60_000, topic: 'a' }), { message: /^INBOX_RETENTION_HOURS must be at least 2 \(got 1\): topic a keeps messages 1\.5 h/ }, 'rounded up to whole hours');
});

t.test('assertInboxOutlivesRedelivery › a topic that keeps messages forever cannot be covered', async (t) => {
  t.throws(() => assertInboxOutlivesRedelivery(8760, { ms: Infinity, topic: 'account.created' }),
    { name: 'ConfigError', message: /INBOX_RETENTION_HOURS cannot cover topic account\.created, which keeps messages forever \(retention\.ms=-1\)/ });
});
