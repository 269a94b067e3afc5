/**
 * A real Kafka-protocol broker for tests: `startTestKafkaBroker()`.
 *
 * Choice: TEST_KAFKA_BROKER_KIND (or `{ kind }`) forces one; else KAFKA_BROKERS
 * set → 'external'; else a Docker engine answers → '@testcontainers/kafka'
 * (no socket/config → decided at once, without the ≈2 s testcontainers import);
 * else 'librdkafka-mock': test/harness/kafka-mock/mock-broker.c, compiled on
 * demand with gcc + librdkafka-dev (.ci/install-system-deps.sh) into
 * node_modules/.cache/kafka-mock/, one process per startTestKafkaBroker() call
 * (≈30 ms to start; it dies with the test process even without stop()).
 * Only the mock can inject faults (down/up, and via startMockKafkaBroker():
 * per-broker down/up, RTT, per-request Kafka error codes).
 *
 * What kafkajs 2.2.4 does against the mock (librdkafka 2.0.2), measured here:
 *
 * Works: produce (acks -1, keys, headers), murmur2 key → partition stable and
 * ordered, consumer groups + offset commit/fetch, `consumer.seek`,
 * admin.fetchTopicOffsets / fetchOffsets / fetchTopicMetadata / listTopics,
 * several brokers (partition leaders spread over them).
 * Fails: admin.createTopics / deleteTopics and `idempotent: true` (its
 * connect() throws KafkaJSBrokerNotFound "Broker 0 not found in the cached
 * metadata": the mock reports controller 0); admin.describeGroups /
 * listGroups / deleteGroups / resetOffsets / setOffsets ("The Kafka server does
 * not support the requested API version"). Do not use these in code paths
 * tests run; create topics with `broker.createTopic()`.
 *
 * Topics: any metadata request auto-creates a missing topic with 4 partitions
 * (producer send, consumer subscribe); `allowAutoTopicCreation: false` is
 * ignored. So topics need not exist before a consumer subscribes, but call
 * `createTopic(name, n)` BEFORE any client touches the topic if the partition
 * count matters (afterwards: "Topic already exists"). Use unique topic and
 * group names per test. Pass `createPartitioner: Partitioners.DefaultPartitioner`
 * (same murmur2 as Java) to silence kafkajs' partitioner warning.
 *
 * Consumer groups (the slow part): the first join of an empty group takes a
 * fixed 3.0 s; a member joining a group that is not empty (e.g. a restart right
 * after the previous member left) waits sessionTimeout - 1 s. Keep
 * sessionTimeout >= 4000: at 2000 the mock evicts the member during its own 3 s
 * join wait and never answers, and kafkajs loops on "Request JoinGroup(key: 11,
 * version: 5) timed out" every rebalanceTimeout + 5 s (3000 is a race). Use
 * `fastKafkaTestSettings(broker.kind)` → mock: sessionTimeout 4000,
 * heartbeatInterval 500, rebalanceTimeout 4000, maxWaitTimeInMs 100, retry
 * {retries 3, initialRetryTime 100, maxRetryTime 500}; real Kafka: the same with
 * sessionTimeout 6000 (brokers reject less). `await consumer.run()` resolves
 * before the join. A new group with `fromBeginning: false` starts at the log
 * end as of the join on real Kafka, but the mock still delivered a message
 * produced during the join: in tests use `fromBeginning: true`, or wait for
 * `consumer.events.GROUP_JOIN` before producing.
 * Commits: kafkajs commits after each batch, a few ms to ~200 ms after
 * eachMessage returned; consumer.disconnect() commits resolved offsets. A crash
 * or outage in between re-delivers (seen: broker down 7 ms after eachMessage →
 * message delivered again after recovery): at-least-once, dedupe in the inbox.
 *
 * Faults: `down()` closes open connections at once and refuses new ones (it
 * does not move leaders). kafkajs notices on its next request: a producer only
 * when it sends; a running consumer at its next fetch/heartbeat. Errors seen on
 * send: KafkaJSNonRetriableError (cause KafkaJSConnectionError "Connection
 * error: connect ECONNREFUSED 127.0.0.1:PORT") or KafkaJSNumberOfRetriesExceeded
 * — match on the message/cause, not on `retriable` (false on both).
 * Time to fail = kafkajs retry budget: with {retries 2, initialRetryTime 100,
 * maxRetryTime 300} and connectionTimeout 500 a send fails in ≈0.6 s; with
 * kafkajs defaults (retries 5, initialRetryTime 300) ≈18-21 s, and a consumer
 * crashes ≈9-10 s into the outage. After `up()` the next send reconnects at once
 * (≈2 ms); a send issued during the outage succeeds if up() comes within its
 * retries. A crashed consumer restarts itself (restartOnFailure default) and,
 * with the short retries above, rejoins ≈1.4 s after up() (defaults: ≈9 s).
 * setRtt(ms) above requestTimeout gives "Request Produce(key: 0, version: 7)
 * timed out"; pushRequestErrors(0, [6, 6]) (NOT_LEADER) is retried
 * transparently by the producer.
 * Throughput against the mock says nothing about Kafka (one record batch per
 * partition per fetch).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { homedir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel, type ConsumerConfig, type KafkaConfig } from 'kafkajs';

export interface TestKafkaBroker {
  /** Bootstrap servers, `host:port`. */
  brokers: string[];
  kind: 'external' | 'testcontainers' | 'librdkafka-mock';
  /** True only for the librdkafka mock. */
  canInjectFaults: boolean;
  /** Makes every broker unreachable: open connections are closed, new ones refused. Throws if !canInjectFaults. */
  down(): Promise<void>;
  /** Undoes down(). Throws if !canInjectFaults. */
  up(): Promise<void>;
  /** Creates a topic. Mock: stdin command (CreateTopics is unsupported there); others: kafkajs admin. */
  createTopic(name: string, partitions: number): Promise<void>;
  stop(): Promise<void>;
}

export type TestKafkaBrokerKind = TestKafkaBroker['kind'];

export interface StartTestKafkaBrokerOptions {
  /**
   * Force a kind instead of the automatic choice (KAFKA_BROKERS → external,
   * Docker → testcontainers, else the mock). Tests that need down()/up() pass
   * 'librdkafka-mock'. The env var TEST_KAFKA_BROKER_KIND does the same for a whole run.
   */
  kind?: TestKafkaBrokerKind;
  /** Mock only: number of brokers, ids 1..n (default 1). */
  brokerCount?: number;
}

/** The librdkafka mock's extra controls, beyond TestKafkaBroker. */
export interface MockKafkaBroker extends TestKafkaBroker {
  kind: 'librdkafka-mock';
  canInjectFaults: true;
  /** Broker ids are 1..brokerCount. */
  brokerCount: number;
  downBroker(id: number): Promise<void>;
  upBroker(id: number): Promise<void>;
  /** Adds `ms` of round-trip delay to every response (all brokers, or one). */
  setRtt(ms: number, brokerId?: number): Promise<void>;
  /**
   * The next requests of protocol type `apiKey` (0 Produce, 1 Fetch, 3 Metadata,
   * 8 OffsetCommit, 11 JoinGroup, ...) fail with these Kafka error codes, one per
   * request, in order. -195 makes the broker drop the connection instead.
   */
  pushRequestErrors(apiKey: number, errorCodes: number[]): Promise<void>;
  clearRequestErrors(apiKey: number): Promise<void>;
  /** Raw command on the mock's stdin protocol; resolves on `ok`, rejects on `error ...`. */
  command(line: string): Promise<void>;
}

const HERE = dirname(fileURLToPath(import.meta.url));
const MOCK_SOURCE = join(HERE, 'kafka-mock', 'mock-broker.c');
const REPO_ROOT = join(HERE, '..', '..');
const MOCK_CACHE_DIR = join(REPO_ROOT, 'node_modules', '.cache', 'kafka-mock');
const GCC_FLAGS = ['-O2', '-Wall'];
const INSTALL_HINT =
  'install the Debian packages with `apt-get install -y librdkafka-dev gcc` (or run .ci/install-system-deps.sh)';

export async function startTestKafkaBroker(
  options: StartTestKafkaBrokerOptions = {},
): Promise<TestKafkaBroker> {
  const kind = options.kind ?? kindFromEnv() ?? (await chooseKind());
  switch (kind) {
    case 'external':
      return startExternal();
    case 'testcontainers':
      return startTestcontainers();
    case 'librdkafka-mock':
      return startMockKafkaBroker({ brokerCount: options.brokerCount });
  }
}

/**
 * kafkajs settings that keep tests fast and failures quick on `kind` (values
 * measured against the mock, see the notes at the top of this file). Spread
 * them: `new Kafka({ clientId, brokers, ...s.client })`,
 * `kafka.consumer({ groupId, ...s.consumer })`.
 */
export function fastKafkaTestSettings(kind: TestKafkaBrokerKind): {
  client: Pick<KafkaConfig, 'connectionTimeout' | 'requestTimeout' | 'retry'>;
  consumer: Pick<
    ConsumerConfig,
    'sessionTimeout' | 'heartbeatInterval' | 'rebalanceTimeout' | 'maxWaitTimeInMs' | 'retry'
  >;
} {
  const retry = { retries: 3, initialRetryTime: 100, maxRetryTime: 500 };
  // Mock: sessionTimeout must stay above its fixed 3 s first-join delay, and
  // rejoins wait sessionTimeout - 1 s. Real brokers reject < 6000
  // (group.min.session.timeout.ms).
  const sessionTimeout = kind === 'librdkafka-mock' ? 4000 : 6000;
  return {
    client: { connectionTimeout: 1000, requestTimeout: 5000, retry },
    consumer: {
      sessionTimeout,
      heartbeatInterval: 500,
      rebalanceTimeout: sessionTimeout,
      maxWaitTimeInMs: 100,
      retry,
    },
  };
}

function kindFromEnv(): TestKafkaBrokerKind | undefined {
  const v = process.env.TEST_KAFKA_BROKER_KIND;
  if (!v) return undefined;
  if (v === 'external' || v === 'testcontainers' || v === 'librdkafka-mock') return v;
  throw new Error(
    `TEST_KAFKA_BROKER_KIND=${v}: expected external, testcontainers or librdkafka-mock`,
  );
}

async function chooseKind(): Promise<TestKafkaBrokerKind> {
  if (process.env.KAFKA_BROKERS?.trim()) return 'external';
  return (await dockerAvailable()) ? 'testcontainers' : 'librdkafka-mock';
}

// ---------------------------------------------------------------- external

function externalBrokers(): string[] {
  const brokers = (process.env.KAFKA_BROKERS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (brokers.length === 0) throw new Error('KAFKA_BROKERS is empty');
  return brokers;
}

function noFaults(kind: TestKafkaBrokerKind): () => Promise<void> {
  return () =>
    Promise.reject(
      new Error(`fault injection needs the librdkafka mock broker; this one is ${kind}`),
    );
}

async function adminCreateTopic(brokers: string[], name: string, partitions: number) {
  const admin = new Kafka({
    clientId: 'test-harness-admin',
    brokers,
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    // Resolves false (no throw) when the topic already exists.
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic: name, numPartitions: partitions, replicationFactor: 1 }],
    });
  } finally {
    await admin.disconnect();
  }
}

function startExternal(): TestKafkaBroker {
  const brokers = externalBrokers();
  return {
    brokers,
    kind: 'external',
    canInjectFaults: false,
    down: noFaults('external'),
    up: noFaults('external'),
    createTopic: (name, partitions) => adminCreateTopic(brokers, name, partitions),
    stop: async () => {},
  };
}

// ---------------------------------------------------------- testcontainers

/**
 * Whether a container runtime answers. Without any Docker socket/config this
 * returns false at once, without loading testcontainers (≈2 s import);
 * otherwise testcontainers' own detection runs, bounded by a timeout.
 */
async function dockerAvailable(timeoutMs = 8000): Promise<boolean> {
  if (!dockerHintsPresent()) return false;
  let timer: NodeJS.Timeout | undefined;
  try {
    const probe = (async () => {
      const tc = await import('testcontainers');
      await tc.getContainerRuntimeClient();
      return true;
    })();
    probe.catch(() => {}); // the timeout may win; never leave it unhandled
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
      timer.unref();
    });
    return await Promise.race([probe, timeout]);
  } catch {
    return false; // "Could not find a working container runtime strategy"
  } finally {
    clearTimeout(timer);
  }
}

/** Mirrors where testcontainers 11 looks for a runtime. */
function dockerHintsPresent(): boolean {
  if (process.env.DOCKER_HOST || process.env.TESTCONTAINERS_HOST_OVERRIDE) return true;
  const home = homedir();
  const candidates = [
    join(home, '.testcontainers.properties'),
    '/var/run/docker.sock',
    join(home, '.docker', 'run', 'docker.sock'),
    join(home, '.docker', 'desktop', 'docker.sock'),
    join('/run', 'user', String(userInfo().uid), 'docker.sock'),
  ];
  if (process.env.XDG_RUNTIME_DIR) {
    candidates.push(join(process.env.XDG_RUNTIME_DIR, 'docker.sock'));
  }
  return candidates.some((p) => existsSync(p));
}

async function startTestcontainers(): Promise<TestKafkaBroker> {
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const image = process.env.TEST_KAFKA_IMAGE ?? 'confluentinc/cp-kafka:7.9.0';
  const container = await new KafkaContainer(image).withKraft().start();
  const brokers = [`${container.getHost()}:${container.getMappedPort(9093)}`];
  return {
    brokers,
    kind: 'testcontainers',
    canInjectFaults: false,
    down: noFaults('testcontainers'),
    up: noFaults('testcontainers'),
    createTopic: (name, partitions) => adminCreateTopic(brokers, name, partitions),
    stop: async () => {
      await container.stop();
    },
  };
}

// ------------------------------------------------------- librdkafka mock

function run(
  file: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string; notFound: boolean }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({
        code: error ? (typeof error.code === 'number' ? error.code : null) : 0,
        stdout,
        stderr,
        notFound: error?.code === 'ENOENT',
      });
    });
  });
}

let buildOnce: Promise<string> | undefined;

/**
 * Compiles mock-broker.c (once per source/flags version) into
 * node_modules/.cache/kafka-mock/mock-broker-<hash>. The hash of the source
 * and flags names the binary, so an edited source is rebuilt and parallel test
 * processes never see a half-written file: each builds to a unique temp name
 * and rename()s it into place atomically.
 */
export function buildMockBroker(): Promise<string> {
  buildOnce ??= doBuildMockBroker().catch((err: unknown) => {
    buildOnce = undefined;
    throw err;
  });
  return buildOnce;
}

async function doBuildMockBroker(): Promise<string> {
  const source = await readFile(MOCK_SOURCE);
  const hash = createHash('sha256')
    .update(source)
    .update(GCC_FLAGS.join(' '))
    .digest('hex')
    .slice(0, 16);
  const binary = join(MOCK_CACHE_DIR, `mock-broker-${hash}`);
  if (existsSync(binary)) return binary;

  await mkdir(MOCK_CACHE_DIR, { recursive: true });
  const tmp = `${binary}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const res = await run('gcc', [...GCC_FLAGS, '-o', tmp, MOCK_SOURCE, '-lrdkafka']);
  if (res.code !== 0) {
    await rm(tmp, { force: true });
    if (res.notFound) {
      throw new Error(`gcc not found: cannot build the Kafka mock broker; ${INSTALL_HINT}`);
    }
    const out = `${res.stderr}${res.stdout}`.trim();
    if (/librdkafka\/rdkafka(_mock)?\.h|-lrdkafka|cannot find -lrdkafka/.test(out)) {
      throw new Error(
        `librdkafka headers/library missing: cannot build the Kafka mock broker; ${INSTALL_HINT}\n${out}`,
      );
    }
    throw new Error(`building ${MOCK_SOURCE} failed (gcc exit ${res.code}):\n${out}`);
  }
  await rename(tmp, binary);
  // Best effort: drop binaries of older sources (running ones are unaffected).
  for (const f of await readdir(MOCK_CACHE_DIR).catch(() => [] as string[])) {
    if (/^mock-broker-[0-9a-f]{16}$/.test(f) && join(MOCK_CACHE_DIR, f) !== binary) {
      await rm(join(MOCK_CACHE_DIR, f), { force: true }).catch(() => {});
    }
  }
  return binary;
}

/**
 * Children still running. Belt and braces: the mock also exits on stdin EOF
 * and (Linux) when its parent dies; this kills it even if a test forgot stop().
 */
const liveChildren = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of liveChildren) child.kill('SIGKILL');
});

interface Pending {
  line: string;
  resolve: () => void;
  reject: (err: Error) => void;
}

class MockBrokerProcess implements MockKafkaBroker {
  readonly kind = 'librdkafka-mock' as const;
  readonly canInjectFaults = true as const;
  brokers: string[] = [];
  private readonly pending: Pending[] = [];
  private stdoutBuf = '';
  private stderrTail = '';
  private exited = false;
  private exitInfo = '';
  private readonly exitPromise: Promise<void>;
  private stopping = false;
  private bootstrap?: { resolve: (line: string) => void; reject: (err: Error) => void };

  constructor(
    private readonly child: ChildProcess,
    readonly brokerCount: number,
  ) {
    child.stdout!.setEncoding('utf8');
    child.stderr!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => this.onStdout(chunk));
    child.stderr!.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-4000);
    });
    child.stdin!.on('error', () => {}); // EPIPE after exit; surfaced via 'exit'
    this.exitPromise = new Promise((resolve) => {
      // 'close' (not 'exit'): stdout/stderr are fully read by then.
      child.once('close', (code, signal) => {
        const hint = /librdkafka\.so/.test(this.stderrTail) ? `\n${INSTALL_HINT}` : '';
        this.markExited(
          `mock broker exited (code ${code}, signal ${signal})${
            this.stderrTail ? `; stderr:\n${this.stderrTail}` : ''
          }${hint}`,
        );
        resolve();
      });
      child.once('error', (err) => {
        // Spawn failures (ENOENT, EACCES) emit 'error' and no exit.
        if (child.pid === undefined) {
          this.markExited(`cannot start mock broker: ${err.message}`);
          resolve();
        }
      });
    });
    liveChildren.add(child);
  }

  private markExited(info: string) {
    if (this.exited) return;
    this.exited = true;
    this.exitInfo = info;
    liveChildren.delete(this.child);
    const err = new Error(info);
    this.bootstrap?.reject(err);
    for (const p of this.pending.splice(0)) p.reject(err);
  }

  /** Keeps the event loop alive only while we wait for the child. */
  private setRef(ref: boolean) {
    if (!ref && this.stopping) return;
    for (const s of [this.child.stdin, this.child.stdout, this.child.stderr]) {
      const sock = s as unknown as Partial<Socket> | null;
      if (ref) sock?.ref?.();
      else sock?.unref?.();
    }
    if (ref) this.child.ref();
    else this.child.unref();
  }

  async waitForBootstrap(timeoutMs: number): Promise<void> {
    this.setRef(true);
    let timer: NodeJS.Timeout | undefined;
    try {
      const line = await new Promise<string>((resolve, reject) => {
        this.bootstrap = { resolve, reject };
        timer = setTimeout(
          () => reject(new Error(`mock broker printed no bootstrap line in ${timeoutMs} ms`)),
          timeoutMs,
        );
      });
      const m = /^bootstrap\.servers=(.+)$/.exec(line);
      if (!m?.[1]) throw new Error(`unexpected first line from mock broker: ${line}`);
      this.brokers = m[1].split(',').map((s) => s.trim());
    } finally {
      clearTimeout(timer);
      this.bootstrap = undefined;
      this.setRef(false);
    }
  }

  private onStdout(chunk: string) {
    this.stdoutBuf += chunk;
    let nl: number;
    while ((nl = this.stdoutBuf.indexOf('\n')) >= 0) {
      const line = this.stdoutBuf.slice(0, nl).trimEnd();
      this.stdoutBuf = this.stdoutBuf.slice(nl + 1);
      if (this.bootstrap) {
        this.bootstrap.resolve(line);
        continue;
      }
      const p = this.pending.shift();
      if (!p) continue; // unsolicited; ignore
      if (line === 'ok') p.resolve();
      else p.reject(new Error(`mock broker: '${p.line}' → ${line.replace(/^error /, '')}`));
      if (this.pending.length === 0) this.setRef(false);
    }
  }

  command(line: string): Promise<void> {
    if (this.exited) return Promise.reject(new Error(this.exitInfo));
    if (/[\r\n]/.test(line)) return Promise.reject(new Error('command must be one line'));
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ line, resolve, reject });
      this.setRef(true);
      this.child.stdin!.write(`${line}\n`);
    });
  }

  down() {
    return this.command('down');
  }
  up() {
    return this.command('up');
  }
  downBroker(id: number) {
    return this.command(`down ${id}`);
  }
  upBroker(id: number) {
    return this.command(`up ${id}`);
  }
  createTopic(name: string, partitions: number) {
    if (!/^[A-Za-z0-9._-]{1,249}$/.test(name)) {
      return Promise.reject(new Error(`invalid topic name: ${name}`));
    }
    return this.command(`topic ${name} ${partitions}`);
  }
  setRtt(ms: number, brokerId?: number) {
    return this.command(brokerId === undefined ? `rtt ${ms}` : `rtt ${brokerId} ${ms}`);
  }
  pushRequestErrors(apiKey: number, errorCodes: number[]) {
    return this.command(`errors ${apiKey} ${errorCodes.join(' ')}`);
  }
  clearRequestErrors(apiKey: number) {
    return this.command(`clear-errors ${apiKey}`);
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    this.setRef(true);
    this.stopping = true;
    const grace = async (ms: number) => {
      let timer: NodeJS.Timeout | undefined;
      try {
        return await Promise.race([
          this.exitPromise.then(() => true),
          new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms))),
        ]);
      } finally {
        clearTimeout(timer);
      }
    };
    this.command('quit').catch(() => {});
    this.child.stdin!.end();
    if (await grace(3000)) return;
    this.child.kill('SIGTERM');
    if (await grace(3000)) return;
    this.child.kill('SIGKILL');
    await this.exitPromise;
  }
}

/** Starts the librdkafka mock broker directly (gives the extra fault controls). */
export async function startMockKafkaBroker(
  options: { brokerCount?: number } = {},
): Promise<MockKafkaBroker> {
  const brokerCount = options.brokerCount ?? 1;
  if (!Number.isInteger(brokerCount) || brokerCount < 1 || brokerCount > 32) {
    throw new Error(`brokerCount must be 1..32, got ${brokerCount}`);
  }
  const binary = await buildMockBroker();
  const child = spawn(binary, [String(brokerCount)], { stdio: ['pipe', 'pipe', 'pipe'] });
  const mock = new MockBrokerProcess(child, brokerCount);
  try {
    await mock.waitForBootstrap(10_000);
  } catch (err) {
    await mock.stop().catch(() => {});
    throw err;
  }
  return mock;
}
