import pg from 'pg';
import { pause } from '../src/platform/messaging/backoff.ts';
import type { Logger } from '../src/platform/observability/logger.ts';

export const OUTBOX_CHANNEL = 'messaging_outbox';
const RECONNECT_MS = 1000;

/**
 * LISTENs for the outbox insert trigger's NOTIFY on a dedicated connection and reconnects after a
 * database restart; the relay's polling covers the moments in between.
 */
export class OutboxListener {
  private client: pg.Client | undefined;
  private readonly stopping = new AbortController();

  constructor(
    private readonly url: string,
    private readonly onNotify: () => void,
    private readonly logger: Logger,
  ) {}

  start(): void {
    void this.connectLoop();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.client?.end().catch(() => undefined);
  }

  private async connectLoop(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      const client = new pg.Client({ connectionString: this.url });
      const lost = new Promise<void>((resolve) => {
        client.on('error', (error) => {
          this.logger.warn({ err: error }, 'outbox listener connection lost');
          resolve();
        });
        client.on('end', () => resolve());
      });
      try {
        await client.connect();
        client.on('notification', () => this.onNotify());
        await client.query(`listen ${OUTBOX_CHANNEL}`);
        this.client = client;
        this.onNotify(); // rows may have arrived while we were not listening
        await lost;
      } catch (error) {
        this.logger.debug({ err: error }, 'outbox listener could not connect');
      }
      await client.end().catch(() => undefined);
      await pause(RECONNECT_MS, this.stopping.signal);
    }
  }
}
