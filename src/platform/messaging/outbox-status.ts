import type { EntityManager } from '@mikro-orm/postgresql';

export interface OutboxStatus {
  backlog: number;
  oldestUnpublishedAgeSeconds: number | null;
  byTopic: Array<{ topic: string; unpublished: number; oldestUnpublishedAgeSeconds: number | null }>;
}

export async function readOutboxStatus(em: EntityManager): Promise<OutboxStatus> {
  const byTopic = await em.execute<Array<{ topic: string; unpublished: number; oldest: number | null }>>(
    `select topic, count(*)::int as unpublished, extract(epoch from now() - min(created_at))::float8 as oldest
       from messaging.outbox where published_at is null group by topic order by topic`,
  );
  const oldest = byTopic.reduce<number | null>((max, row) => (row.oldest !== null && (max === null || row.oldest > max) ? row.oldest : max), null);
  return {
    backlog: byTopic.reduce((sum, row) => sum + row.unpublished, 0),
    oldestUnpublishedAgeSeconds: oldest,
    byTopic: byTopic.map(({ topic, unpublished, oldest }) => ({ topic, unpublished, oldestUnpublishedAgeSeconds: oldest })),
  };
}
