import { ConfigError } from '../../config.ts';
import type { RedeliveryHorizon } from './transports/transport.ts';

const HOUR_MS = 3_600_000;

/**
 * Refuses an inbox that forgets handled events before the transport can hand them over again:
 * such a redelivery would find no inbox row and apply the event a second time.
 */
export function assertInboxOutlivesRedelivery(inboxRetentionHours: number, horizon: RedeliveryHorizon | undefined): void {
  if (horizon === undefined || inboxRetentionHours * HOUR_MS >= horizon.ms) return;
  const why = 'a consumer group whose committed offsets expired reads it again from the beginning, and an event the inbox no longer remembers would be applied twice';
  if (horizon.ms === Infinity) {
    throw new ConfigError(
      `INBOX_RETENTION_HOURS cannot cover topic ${horizon.topic}, which keeps messages forever (retention.ms=-1): ${why}; give the topic a retention.ms of at most ${inboxRetentionHours} h (got INBOX_RETENTION_HOURS=${inboxRetentionHours})`,
    );
  }
  const needed = Math.ceil(horizon.ms / HOUR_MS);
  throw new ConfigError(
    `INBOX_RETENTION_HOURS must be at least ${needed} (got ${inboxRetentionHours}): topic ${horizon.topic} keeps messages ${formatHours(horizon.ms)} h (retention.ms=${horizon.ms}) and ${why}; or lower the topic's retention.ms`,
  );
}

function formatHours(ms: number): string {
  return String(Math.round((ms / HOUR_MS) * 100) / 100);
}
