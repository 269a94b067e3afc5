/**
 * A real Apache Kafka broker (or cluster) for tests, faults and the benchmark: `startTestKafkaBroker()`.
 *
 * Choice, in this order (TEST_KAFKA_BROKER_KIND or `{ kind }` forces one):
 *   1. KAFKA_BROKERS set → 'external': that cluster, as it is;
 *   2. a Docker engine answers → 'testcontainers': the apache/kafka image of the same version;
 *   3. Java on the PATH → 'local': KRaft nodes (combined broker + controller) started here from the
 *      jars test/harness/kafka/pom.xml names, fetched once with Maven into a cache outside git.
 * None of them → one error line saying which to provide.
 *
 * Every kind runs with `auto.create.topics.enable=false` (local and testcontainers set it; an
 * external cluster should too), so a topic the platform forgot to create fails the test instead
 * of appearing silently. Test files share nothing: each starts its own local broker, and topic and
 * group names carry a per-platform prefix.
 *
 * Only 'local' injects faults: `kill()` (SIGKILL every node, or one), `shutdown()` (SIGTERM), `restart()` (the same ports
 * and data), `freeze()`/`thaw()` (SIGSTOP/SIGCONT). A node's JVM dies with the test process even
 * without stop(): it runs under a shell that kills it when its stdin (our pipe) closes.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { homedir, tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel, type ConsumerConfig, type KafkaConfig } from 'kafkajs';
import { waitForTopicLeaders } from '../../src/platform/messaging/transports/kafka.transport.ts';

export type TestKafkaBrokerKind = 'external' | 'testcontainers' | 'local';

export interface TestKafkaBroker {
  /** Bootstrap servers, `host:port`. */
  brokers: string[];
  kind: TestKafkaBrokerKind;
  /** Apache Kafka version of the broker (external: as configured, unknown). */
  version: string;
  /** True only for 'local': kill/restart/freeze/thaw work. */
  canInjectFaults: boolean;
  /** Number of broker nodes. */
  nodeCount: number;
  /** Creates a topic (replication factor: min(nodeCount, 3)); resolves when its leaders are elected. */
  createTopic(name: string, partitions: number): Promise<void>;
  /** SIGKILLs every node, or the one with this node id (1..nodeCount). */
  kill(nodeId?: number): Promise<void>;
  /** Stops every node, or this one, with a controlled shutdown (SIGTERM), as a rolling restart does. */
  shutdown(nodeId?: number): Promise<void>;
  /** Starts stopped nodes again (every one, or this one) on the same ports and data; resolves when they serve. */
  restart(nodeId?: number): Promise<void>;
  /** SIGSTOPs every node, or one: connections stay open, nothing answers. */
  freeze(nodeId?: number): Promise<void>;
  /** SIGCONTs what freeze() stopped. */
  thaw(nodeId?: number): Promise<void>;
  /** The node id leading `topic`'s partition (local only). */
  leaderOf(topic: string, partition: number): Promise<number>;
  stop(): Promise<void>;
}

export interface StartTestKafkaBrokerOptions {
  kind?: TestKafkaBrokerKind;
  /** Local only: KRaft nodes, each broker and controller (default 1). */
  nodes?: number;
  /** Local only: broker settings added to (or overriding) the harness's server.properties. */
  properties?: Record<string, string>;
}

const HERE = dirname(fileURLToPath(import.meta.url));
const POM = join(HERE, 'kafka', 'pom.xml');
const LOG4J_CONFIG = join(HERE, 'kafka', 'log4j2.properties');
const NEEDS_ONE_OF =
  'Kafka tests need a broker: set KAFKA_BROKERS=host:port (an external cluster), or run a Docker engine (testcontainers), or install Java 17+ and Maven (a local broker from jars)';

export async function startTestKafkaBroker(options: StartTestKafkaBrokerOptions = {}): Promise<TestKafkaBroker> {
  const kind = options.kind ?? kindFromEnv() ?? (await chooseKind());
  switch (kind) {
    case 'external':
      return startExternal();
    case 'testcontainers':
      return startTestcontainers();
    case 'local':
      return startLocalKafka(options.nodes ?? 1, options.properties ?? {});
  }
}

/**
 * kafkajs settings that keep tests fast and failures quick. Spread them:
 * `new Kafka({ clientId, brokers, ...s.client })`, `kafka.consumer({ groupId, ...s.consumer })`.
 * The session timeout is the broker's lowest (group.min.session.timeout.ms, 6 s by default).
 */
export function fastKafkaTestSettings(): {
  client: Pick<KafkaConfig, 'connectionTimeout' | 'requestTimeout' | 'retry'>;
  consumer: Pick<ConsumerConfig, 'sessionTimeout' | 'heartbeatInterval' | 'rebalanceTimeout' | 'maxWaitTimeInMs' | 'retry'>;
} {
  const retry = { retries: 5, initialRetryTime: 100, maxRetryTime: 1000 };
  return {
    client: { connectionTimeout: 1000, requestTimeout: 10_000, retry },
    consumer: { sessionTimeout: 6000, heartbeatInterval: 500, rebalanceTimeout: 6000, maxWaitTimeInMs: 100, retry },
  };
}

/** The Kafka version the repository pins (test/harness/kafka/pom.xml). */
export async function pinnedKafkaVersion(): Promise<string> {
  const pom = await readFile(POM, 'utf8');
  const version = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom)?.[1];
  if (version === undefined) throw new Error(`${POM} names no <kafka.version>`);
  return version;
}

function kindFromEnv(): TestKafkaBrokerKind | undefined {
  const value = process.env['TEST_KAFKA_BROKER_KIND'];
  if (!value) return undefined;
  if (value === 'external' || value === 'testcontainers' || value === 'local') return value;
  throw new Error(`TEST_KAFKA_BROKER_KIND=${value}: expected external, testcontainers or local`);
}

async function chooseKind(): Promise<TestKafkaBrokerKind> {
  if (process.env['KAFKA_BROKERS']?.trim()) return 'external';
  if (await dockerAvailable()) return 'testcontainers';
  if (await commandAnswers('java', ['-version'])) return 'local';
  throw new Error(NEEDS_ONE_OF);
}

function noFaults(kind: TestKafkaBrokerKind): () => Promise<never> {
  return () => Promise.reject(new Error(`fault injection needs the local Kafka broker; this one is ${kind}`));
}

function admin(brokers: string[]) {
  return new Kafka({ clientId: 'test-harness-admin', brokers, logLevel: logLevel.NOTHING, ...fastKafkaTestSettings().client }).admin();
}

async function createTopicOn(brokers: string[], replicationFactor: number, name: string, partitions: number): Promise<void> {
  const client = admin(brokers);
  await client.connect();
  try {
    await client.createTopics({ waitForLeaders: false, topics: [{ topic: name, numPartitions: partitions, replicationFactor }] });
    await waitForTopicLeaders(client, [name]);
  } finally {
    await client.disconnect();
  }
}

function remoteBroker(kind: TestKafkaBrokerKind, brokers: string[], version: string, stop: () => Promise<void>): TestKafkaBroker {
  return {
    brokers,
    kind,
    version,
    canInjectFaults: false,
    nodeCount: 1,
    createTopic: (name, partitions) => createTopicOn(brokers, 1, name, partitions),
    kill: noFaults(kind),
    shutdown: noFaults(kind),
    restart: noFaults(kind),
    freeze: noFaults(kind),
    thaw: noFaults(kind),
    leaderOf: noFaults(kind),
    stop,
  };
}

// ---------------------------------------------------------------- external

function startExternal(): TestKafkaBroker {
  const brokers = (process.env['KAFKA_BROKERS'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (brokers.length === 0) throw new Error('KAFKA_BROKERS is empty');
  return remoteBroker('external', brokers, 'external', async () => {});
}

// ---------------------------------------------------------- testcontainers

/** Whether a container runtime answers; with no Docker socket or config at all, false at once. */
async function dockerAvailable(timeoutMs = 8000): Promise<boolean> {
  if (!dockerHintsPresent()) return false;
  try {
    const probe = import('testcontainers').then(async (tc) => {
      await tc.getContainerRuntimeClient();
      return true;
    });
    probe.catch(() => {});
    return await Promise.race([probe, sleep(timeoutMs, false, { ref: false })]);
  } catch {
    return false; // "Could not find a working container runtime strategy"
  }
}

/** Mirrors where testcontainers 11 looks for a runtime. */
function dockerHintsPresent(): boolean {
  if (process.env['DOCKER_HOST'] || process.env['TESTCONTAINERS_HOST_OVERRIDE']) return true;
  const home = homedir();
  const candidates = [
    join(home, '.testcontainers.properties'),
    '/var/run/docker.sock',
    join(home, '.docker', 'run', 'docker.sock'),
    join(home, '.docker', 'desktop', 'docker.sock'),
    join('/run', 'user', String(userInfo().uid), 'docker.sock'),
  ];
  if (process.env['XDG_RUNTIME_DIR']) candidates.push(join(process.env['XDG_RUNTIME_DIR'], 'docker.sock'));
  return candidates.some((path) => existsSync(path));
}

async function startTestcontainers(): Promise<TestKafkaBroker> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const version = await pinnedKafkaVersion();
  const port = 9092;
  const container = await new GenericContainer(`apache/kafka:${version}`)
    .withExposedPorts({ container: port, host: await freePort() })
    .withEnvironment({ KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false', KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0' })
    .withWaitStrategy(Wait.forListeningPorts())
    .start();
  const brokers = [`${container.getHost()}:${container.getMappedPort(port)}`];
  return remoteBroker('testcontainers', brokers, version, async () => void (await container.stop()));
}

// ------------------------------------------------------------ local (jars)

function commandAnswers(file: string, args: string[]): Promise<boolean> {
  return new Promise((resolve) => execFile(file, args, { timeout: 30_000 }, (error) => resolve(error === null)));
}

function runOrThrow(file: string, args: string[], what: string): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile(file, args, { timeout: 600_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
      error === null ? resolve() : reject(new Error(`${what} failed: ${`${stdout}\n${stderr}`.trim().slice(-2000) || error.message}`)),
    ),
  );
}

function jarCacheRoot(): string {
  return process.env['KAFKA_JARS_CACHE'] ?? join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'payments-platform', 'kafka');
}

let jars: Promise<string> | undefined;

/**
 * The directory holding the pinned broker's runtime jars, fetched with Maven on first use. Test
 * processes running in parallel each copy into a temporary directory and rename it into place:
 * nobody ever sees half a directory.
 */
export function kafkaJars(): Promise<string> {
  jars ??= fetchKafkaJars().catch((error: unknown) => {
    jars = undefined;
    throw error;
  });
  return jars;
}

async function fetchKafkaJars(): Promise<string> {
  const version = await pinnedKafkaVersion();
  const directory = join(jarCacheRoot(), version);
  if (existsSync(join(directory, `kafka_2.13-${version}.jar`))) return directory;
  if (!(await commandAnswers('mvn', ['-v']))) {
    throw new Error(`the local Kafka broker's jars are not in ${directory} and Maven (mvn) is not installed: ${NEEDS_ONE_OF}`);
  }
  await mkdir(jarCacheRoot(), { recursive: true });
  const staging = `${directory}.${randomBytes(4).toString('hex')}.tmp`;
  await runOrThrow('mvn', ['-B', '-q', '-f', POM, 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${staging}`], `fetching Kafka ${version} with Maven`);
  await rename(staging, directory).catch(async (error: unknown) => {
    await rm(staging, { recursive: true, force: true });
    if (!existsSync(directory)) throw error;
  });
  return directory;
}

/** A port nothing listens on now, on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

interface NodePorts {
  id: number;
  broker: number;
  controller: number;
}

function nodeProperties(node: NodePorts, all: NodePorts[], dataDir: string, extra: Record<string, string>): string {
  const replication = Math.min(all.length, 3);
  const voters = all.map((n) => `${n.id}@127.0.0.1:${n.controller}`).join(',');
  return [
    'process.roles=broker,controller',
    `node.id=${node.id}`,
    `controller.quorum.voters=${voters}`,
    `listeners=PLAINTEXT://127.0.0.1:${node.broker},CONTROLLER://127.0.0.1:${node.controller}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${node.broker}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${dataDir}`,
    'auto.create.topics.enable=false',
    `offsets.topic.replication.factor=${replication}`,
    'offsets.topic.num.partitions=6',
    `transaction.state.log.replication.factor=${replication}`,
    `transaction.state.log.min.isr=${Math.max(1, replication - 1)}`,
    `share.coordinator.state.topic.replication.factor=${replication}`,
    `share.coordinator.state.topic.min.isr=${Math.max(1, replication - 1)}`,
    `default.replication.factor=${replication}`,
    // The default 3 s wait for more members would slow every group's first join.
    'group.initial.rebalance.delay.ms=0',
    'num.network.threads=2',
    'num.io.threads=4',
    // A killed node's replicas rejoin quickly; a rolling restart moves leaders back.
    'replica.lag.time.max.ms=10000',
    'unclean.leader.election.enable=false',
    // A cluster moves a killed node's leaders once the controller fences it: by default 9 s after
    // its last heartbeat, plus a controller election when the killed node was the active
    // controller, which left a 10 s outage with no leader moved (the cluster fault scenario). A
    // lone node is not fenced by anyone but itself, so it keeps the defaults.
    ...(all.length > 1 ? ['broker.session.timeout.ms=4000', 'broker.heartbeat.interval.ms=1000'] : []),
    // Later keys win in a properties file.
    ...Object.entries(extra).map(([key, value]) => `${key}=${value}`),
    '',
  ].join('\n');
}

class KafkaNode {
  private wrapper: ChildProcess | undefined;
  private javaPid: number | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    readonly ports: NodePorts,
    private readonly directory: string,
    private readonly classpath: string,
  ) {}

  get address(): string {
    return `127.0.0.1:${this.ports.broker}`;
  }

  get running(): boolean {
    return this.wrapper !== undefined;
  }

  async format(clusterId: string): Promise<void> {
    await runOrThrow('java', ['-Xmx256m', '-cp', this.classpath, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', this.config, '--ignore-formatted'], `formatting Kafka node ${this.ports.id}`);
  }

  get config(): string {
    return join(this.directory, 'server.properties');
  }

  get log(): string {
    return join(this.directory, 'broker.log');
  }

  /**
   * The JVM runs under `sh`, which prints its pid and then waits on stdin: when the test process
   * goes (even killed), the pipe closes and the shell SIGKILLs the JVM, so no broker outlives its test.
   */
  start(): void {
    const java = ['java', '-Xms128m', '-Xmx768m', '-XX:+UseG1GC', `-Dlog4j2.configurationFile=${LOG4J_CONFIG}`, '-cp', this.classpath, 'kafka.Kafka', this.config];
    const script = `"$@" >>"${this.log}" 2>&1 </dev/null & echo $!; read _ignored; kill -9 $! 2>/dev/null`;
    const wrapper = spawn('sh', ['-c', script, 'kafka-node', ...java], { stdio: ['pipe', 'pipe', 'ignore'] });
    this.wrapper = wrapper;
    this.javaPid = undefined;
    wrapper.stdout!.once('data', (chunk: Buffer) => (this.javaPid = Number.parseInt(chunk.toString(), 10)));
    this.exited = new Promise((resolve) => wrapper.once('exit', () => resolve()));
    wrapper.unref();
    (wrapper.stdout as unknown as { unref?: () => void }).unref?.();
    (wrapper.stdin as unknown as { unref?: () => void }).unref?.();
  }

  private async pid(): Promise<number> {
    for (let waited = 0; this.javaPid === undefined; waited += 10) {
      if (waited > 5000) throw new Error(`Kafka node ${this.ports.id}: no pid`);
      await sleep(10);
    }
    return this.javaPid;
  }

  async signal(signal: NodeJS.Signals): Promise<void> {
    if (this.wrapper === undefined) return;
    process.kill(await this.pid(), signal);
  }

  /**
   * SIGSTOP is delivered to each of the JVM's threads as it next runs: on a loaded machine a
   * thread could still answer a request after process.kill() returned (a CI run saw a send succeed
   * against a "frozen" broker). Resolves once every thread is stopped.
   */
  async freeze(): Promise<void> {
    await this.signal('SIGSTOP');
    await this.waitForThreads((states) => states.every((state) => state === 'T' || state === 't'), 'stopped');
  }

  async thaw(): Promise<void> {
    await this.signal('SIGCONT');
    await this.waitForThreads((states) => states.every((state) => state !== 'T'), 'running again');
  }

  private async waitForThreads(done: (states: string[]) => boolean, what: string): Promise<void> {
    if (this.wrapper === undefined) return;
    const pid = await this.pid();
    for (let waited = 0; !done(await threadStates(pid)); waited += 5) {
      if (waited > 10_000) throw new Error(`Kafka node ${this.ports.id}: threads not ${what} after 10 s`);
      await sleep(5);
    }
  }

  async kill(): Promise<void> {
    await this.end('SIGKILL', 10_000);
  }

  /** A controlled shutdown (SIGTERM): leaders move away and the log is closed cleanly first. */
  async shutdown(): Promise<void> {
    await this.end('SIGTERM', 60_000);
  }

  private async end(signal: 'SIGKILL' | 'SIGTERM', timeoutMs: number): Promise<void> {
    if (this.wrapper === undefined) return;
    this.wrapper.ref(); // keeps the test process alive until the node is gone
    const pid = await this.pid();
    await this.signal(signal);
    // The shell does not wait for the JVM: the node is gone once its process is, or is a zombie.
    for (let waited = 0; waited < timeoutMs && (await running(pid)); waited += 20) await sleep(20);
    this.wrapper.stdin!.end(); // the shell SIGKILLs whatever is left, then exits
    await this.exited;
    this.wrapper = undefined;
  }

  async lastLines(): Promise<string> {
    const text = await readFile(this.log, 'utf8').catch(() => '');
    return text.split('\n').slice(-20).join('\n');
  }
}

/** The state letter (R, S, T, …) of each thread of a process, from /proc. */
async function threadStates(pid: number): Promise<string[]> {
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  const stats = await Promise.all(tasks.map((task) => readFile(`/proc/${pid}/task/${task}/stat`, 'utf8').catch(() => '')));
  // The command name in parentheses may hold spaces; the state follows its closing parenthesis.
  return stats.filter(Boolean).map((stat) => stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3));
}

async function running(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  return stat !== undefined && !/^\d+ \(.*\) Z/.test(stat);
}

/**
 * A Kafka cluster id: 16 random bytes, base64url, 22 characters — never starting with '-', which
 * the storage tool would read as an option (Kafka's own Uuid generator skips those too).
 */
export function clusterId(): string {
  for (;;) {
    const id = Buffer.from(randomUUID().replaceAll('-', ''), 'hex').toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

class LocalKafka implements TestKafkaBroker {
  readonly kind = 'local' as const;
  readonly canInjectFaults = true;

  constructor(
    private readonly nodes: KafkaNode[],
    private readonly root: string,
    readonly version: string,
  ) {}

  get brokers(): string[] {
    return this.nodes.map((node) => node.address);
  }

  get nodeCount(): number {
    return this.nodes.length;
  }

  private pick(nodeId?: number): KafkaNode[] {
    if (nodeId === undefined) return this.nodes;
    const node = this.nodes.find((n) => n.ports.id === nodeId);
    if (node === undefined) throw new Error(`no Kafka node ${nodeId} (nodes 1..${this.nodes.length})`);
    return [node];
  }

  createTopic(name: string, partitions: number): Promise<void> {
    return createTopicOn(this.brokers, Math.min(this.nodes.length, 3), name, partitions);
  }

  async kill(nodeId?: number): Promise<void> {
    await Promise.all(this.pick(nodeId).map((node) => node.kill()));
  }

  async shutdown(nodeId?: number): Promise<void> {
    await Promise.all(this.pick(nodeId).map((node) => node.shutdown()));
  }

  async restart(nodeId?: number): Promise<void> {
    const nodes = this.pick(nodeId).filter((node) => !node.running);
    for (const node of nodes) node.start();
    await this.waitUntilServing();
  }

  async freeze(nodeId?: number): Promise<void> {
    await Promise.all(this.pick(nodeId).map((node) => node.freeze()));
  }

  async thaw(nodeId?: number): Promise<void> {
    await Promise.all(this.pick(nodeId).map((node) => node.thaw()));
  }

  async leaderOf(topic: string, partition: number): Promise<number> {
    const client = admin(this.brokers);
    await client.connect();
    try {
      const metadata = await client.fetchTopicMetadata({ topics: [topic] });
      const leader = metadata.topics[0]?.partitions.find((p) => p.partitionId === partition)?.leader;
      if (leader === undefined || leader < 0) throw new Error(`${topic}/${partition} has no leader`);
      return leader;
    } finally {
      await client.disconnect();
    }
  }

  /** Every running node is registered with the cluster and answers metadata requests. */
  async waitUntilServing(timeoutMs = 60_000): Promise<void> {
    const expected = this.nodes.filter((node) => node.running).map((node) => node.ports.id).sort();
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    while (Date.now() < deadline) {
      const client = new Kafka({ clientId: 'test-harness-probe', brokers: this.nodes.filter((n) => n.running).map((n) => n.address), logLevel: logLevel.NOTHING, connectionTimeout: 500, requestTimeout: 2000, retry: { retries: 0 } }).admin();
      try {
        await client.connect();
        const cluster = await client.describeCluster();
        const ids = cluster.brokers.map((b) => b.nodeId).sort();
        if (expected.every((id) => ids.includes(id))) return;
        lastError = new Error(`brokers registered: ${ids.join(',')}, expected ${expected.join(',')}`);
      } catch (error) {
        lastError = error;
      } finally {
        await client.disconnect().catch(() => {});
      }
      await sleep(200);
    }
    const logs = await Promise.all(this.nodes.map(async (node) => `node ${node.ports.id}:\n${await node.lastLines()}`));
    throw new Error(`Kafka ${this.version} did not start within ${timeoutMs} ms (${String(lastError)})\n${logs.join('\n')}`);
  }

  /** SIGKILL: a test broker's data goes with it, so a controlled shutdown (≈20 s) would buy nothing. */
  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.kill()));
    await rm(this.root, { recursive: true, force: true });
  }
}

/**
 * A fresh broker creates `__consumer_offsets` when the first group looks for its coordinator and
 * answers "group coordinator not available" meanwhile; kafkajs 2.2.4 then crashes the consumer and
 * restarts it seconds later (kafkajs #1752). One throwaway group joins first, so tests time their
 * own groups, not the broker's first minute.
 */
async function createOffsetsTopic(brokers: string[]): Promise<void> {
  const topic = '__harness-warm-up';
  await createTopicOn(brokers, Math.min(brokers.length, 3), topic, 1);
  const kafka = new Kafka({ clientId: 'test-harness-warm-up', brokers, logLevel: logLevel.NOTHING, ...fastKafkaTestSettings().client });
  let finished = false;
  const consumer = kafka.consumer({
    groupId: '__harness-warm-up',
    ...fastKafkaTestSettings().consumer,
    // kafkajs restarts a consumer that crashes while it disconnects unless told not to; a restarted
    // warm-up member would live on unseen and, once the broker stops, crash and restart every
    // second, keeping the test process from ever exiting.
    retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 500, restartOnFailure: async () => !finished },
  });
  try {
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.connect();
    await consumer.subscribe({ topics: [topic] });
    await consumer.run({ eachMessage: async () => {} });
    await Promise.race([joined, sleep(60_000, undefined, { ref: false }).then(() => Promise.reject(new Error('the warm-up group did not join within 60 s')))]);
  } finally {
    finished = true;
    await consumer.disconnect();
  }
}

async function startLocalKafka(nodeCount: number, properties: Record<string, string>): Promise<TestKafkaBroker> {
  if (!Number.isInteger(nodeCount) || nodeCount < 1 || nodeCount > 5) throw new Error(`nodes must be 1..5, got ${nodeCount}`);
  const [directory, version] = await Promise.all([kafkaJars(), pinnedKafkaVersion()]);
  const classpath = `${directory}/*`;
  const root = await mkdtemp(join(tmpdir(), 'kafka-test-'));
  const ports: NodePorts[] = [];
  for (let id = 1; id <= nodeCount; id++) ports.push({ id, broker: await freePort(), controller: await freePort() });
  const cluster = clusterId();
  const nodes = await Promise.all(
    ports.map(async (node) => {
      const nodeDir = join(root, `node-${node.id}`);
      await mkdir(join(nodeDir, 'data'), { recursive: true });
      await writeFile(join(nodeDir, 'server.properties'), nodeProperties(node, ports, join(nodeDir, 'data'), properties));
      const kafkaNode = new KafkaNode(node, nodeDir, classpath);
      await kafkaNode.format(cluster);
      return kafkaNode;
    }),
  );
  const kafka = new LocalKafka(nodes, root, version);
  try {
    await kafka.restart();
    await createOffsetsTopic(kafka.brokers);
  } catch (error) {
    await kafka.stop().catch(() => {});
    throw error;
  }
  return kafka;
}
