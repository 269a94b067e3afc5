import tap, { type Test } from 'tap';
import { createTestDatabase } from './database.ts';
import { startTestKafkaBroker, type TestKafkaBroker } from './kafka-broker.ts';
import { startTestPlatform, type TestPlatform, type TestPlatformOptions, type TransportKind } from './platform.ts';

export const TRANSPORTS: TransportKind[] = ['local', 'kafka'];

let broker: Promise<TestKafkaBroker> | undefined;

/** One Kafka-protocol broker per test file, stopped after the file's last test (and its platforms). */
export function testBroker(): Promise<TestKafkaBroker> {
  if (broker === undefined) {
    broker = startTestKafkaBroker();
    const started = broker;
    tap.teardown(async () => (await started).stop());
  }
  return broker;
}

/** A database of its own and the platform on the given transport, both torn down after the test. */
export async function platformFor(
  t: Test,
  transport: TransportKind,
  options: Partial<Omit<TestPlatformOptions, 'transport' | 'databaseUrl'>> & { databaseUrl?: string } = {},
): Promise<TestPlatform> {
  let databaseUrl = options.databaseUrl;
  if (databaseUrl === undefined) {
    const database = await createTestDatabase();
    t.teardown(() => database.drop());
    databaseUrl = database.url;
  }
  const brokers = transport === 'kafka' ? (options.brokers ?? (await testBroker()).brokers) : undefined;
  const platform = await startTestPlatform({ ...options, databaseUrl, transport, ...(brokers === undefined ? {} : { brokers }) });
  t.teardown(() => platform.stop());
  return platform;
}
