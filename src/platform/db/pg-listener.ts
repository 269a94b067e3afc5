import pg from 'pg';
import { pause } from '../messaging/backoff.ts';
import type { Logger } from '../observability/logger.ts';

const RECONNECT_MS = 1000;
const CHANNEL = /^[a-z_][a-z0-9_]*$/;

export interface PgListenerOptions {
  url: string;
  /** A fixed identifier (it is written into `LISTEN`, which takes no parameters). */
  channel: string;
  onNotification: (payload: string) => void;
  /**
   * Called each time the listener is (again) listening: notices sent while it was not are lost,
   * so a caller that must not miss work looks for it now (the relay polls once).
   */
  onListening?: () => void;
  logger: Logger;
}

/**
 * `LISTEN`s on one channel on a dedicated connection, and connects again a second after a lost
 * connection (a database restart) until stopped. PostgreSQL delivers a `NOTIFY` only when its
 * transaction commits, to every listening process.
 */
export class PgListener {
  private client: pg.Client | undefined;
  private readonly stopping = new AbortController();
  private running: Promise<void> | undefined;

  constructor(private readonly options: PgListenerOptions) {
    if (!CHANNEL.test(options.channel)) throw new Error(`"${options.channel}" is not a channel name LISTEN can take unquoted`);
  }

  start(): void {
    this.running ??= this.connectLoop();
  }

  /** Resolves once the connection is closed and the loop ended. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.client?.end().catch(() => undefined);
    await this.running;
  }

  private async connectLoop(): Promise<void> {
    const { url, channel, logger } = this.options;
    while (!this.stopping.signal.aborted) {
      const client = new pg.Client({ connectionString: url });
      const lost = new Promise<void>((resolve) => {
        client.on('error', (error) => {
          logger.warn({ err: error, channel }, 'listening connection lost');
          resolve();
        });
        client.on('end', () => resolve());
      });
      try {
        await client.connect();
        client.on('notification', (message) => this.options.onNotification(message.payload ?? ''));
        await client.query(`listen ${channel}`);
        this.client = client;
        // stop() may have run while this connection was opening: it could not end a client it did not see.
        if (!this.stopping.signal.aborted) {
          this.options.onListening?.();
          await lost;
        }
      } catch (error) {
        logger.debug({ err: error, channel }, 'listening connection could not be opened');
      }
      this.client = undefined;
      await client.end().catch(() => undefined);
      await pause(RECONNECT_MS, this.stopping.signal);
    }
  }
}
