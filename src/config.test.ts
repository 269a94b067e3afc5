import t from 'tap';
import { ConfigError, loadConfig, MODULE_NAMES } from './config.ts';

t.test('loadConfig › defaults run everything on the local transport', async (t) => {
  const config = loadConfig({});
  t.equal(config.http.port, 3000);
  t.equal(config.http.host, '127.0.0.1');
  t.equal(config.transport.kind, 'local');
  t.same([...config.roles], ['api', 'worker', 'relay']);
  t.same([...config.modules], [...MODULE_NAMES]);
  t.equal(config.database.url, undefined, 'no DATABASE_URL → embedded PostgreSQL');
  t.equal(config.moneyRequestsPerMinute, 120, 'RATE_LIMIT_MONEY_PER_MINUTE defaults to 120');
});

t.test('loadConfig › KAFKA_BROKERS turns Kafka on unless KAFKA_ENABLED=false', async (t) => {
  t.same(loadConfig({ KAFKA_BROKERS: 'a:9092,b:9093' }).transport, { kind: 'kafka', brokers: ['a:9092', 'b:9093'] });
  t.same(loadConfig({ KAFKA_BROKERS: 'a:9092', KAFKA_ENABLED: 'false' }).transport, { kind: 'local' });
});

const badValues: Array<[Record<string, string>, RegExp]> = [
  [{ AUTH_JWKS_URL: 'https://id.example.test/jwks' }, /AUTH_ISSUER must be set when AUTH_JWKS_URL is/],
  [{ AUTH_JWKS_URL: 'https://id.example.test/jwks', AUTH_ISSUER: 'https://id.example.test' }, /AUTH_AUDIENCE must be set when AUTH_JWKS_URL is/],
  [{ AUTH_JWKS_URL: 'ldap://id', AUTH_ISSUER: 'i', AUTH_AUDIENCE: 'a' }, /AUTH_JWKS_URL must be an http\(s\) URL/],
  [{ PORT: 'abc' }, /^PORT must be an integer from 0 to 65535 \(got "abc"\)$/],
  [{ PORT: '70000' }, /^PORT must be an integer/],
  [{ DATABASE_URL: 'mysql://x' }, /^DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL/],
  [{ KAFKA_ENABLED: 'yes' }, /^KAFKA_ENABLED must be true or false/],
  [{ KAFKA_ENABLED: 'true' }, /^KAFKA_BROKERS must be set/],
  [{ KAFKA_BROKERS: 'nohostport' }, /^KAFKA_BROKERS must be a comma-separated list of host:port/],
  [{ ROLE: 'api,cook' }, /^ROLE must be a comma-separated list of api, worker, relay \(got "api,cook"\)$/],
  [{ MODULES: 'profile,,account' }, /^MODULES must be a comma-separated list of/],
  [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent/],
  [{ MODULE_URL_ACCOUNT: 'ftp://x' }, /^MODULE_URL_ACCOUNT must be an http\(s\) URL/],
  [{ KAFKA_SESSION_TIMEOUT_MS: '3000' }, /^KAFKA_SESSION_TIMEOUT_MS must be an integer from 6000 to 300000 \(6000 is the broker's default group\.min\.session\.timeout\.ms.*\(got "3000"\)$/],
  [{ KAFKA_SESSION_TIMEOUT_MS: '6000', KAFKA_HEARTBEAT_INTERVAL_MS: '2000' }, /^KAFKA_HEARTBEAT_INTERVAL_MS must be below a third of KAFKA_SESSION_TIMEOUT_MS \(6000\), so less than 2000 \(got "2000"\)$/],
  [{ KAFKA_HEARTBEAT_INTERVAL_MS: '10000' }, /^KAFKA_HEARTBEAT_INTERVAL_MS must be below a third of KAFKA_SESSION_TIMEOUT_MS \(30000\)/],
  [{ KAFKA_TOPIC_PARTITIONS: '0' }, /^KAFKA_TOPIC_PARTITIONS must be an integer from 1 to 10000 \(got "0"\)$/],
  [{ KAFKA_TOPIC_PARTITIONS: '10001' }, /^KAFKA_TOPIC_PARTITIONS must be an integer from 1 to 10000/],
  [{ KAFKA_REPLICATION_FACTOR: '0' }, /^KAFKA_REPLICATION_FACTOR must be an integer from 1 to 32 \(got "0"\)$/],
  [{ KAFKA_REPLICATION_FACTOR: '33' }, /^KAFKA_REPLICATION_FACTOR must be an integer from 1 to 32/],
];

t.test('loadConfig › Kafka topics default to 12 partitions and 3 replicas; the session timeout may be the broker minimum', async (t) => {
  const config = loadConfig({});
  t.equal(config.kafka.topicPartitions, 12);
  t.equal(config.kafka.replicationFactor, 3);
  t.equal(config.kafka.sessionTimeoutMs, 30_000);
  t.equal(config.kafka.heartbeatIntervalMs, 3000);
  const tuned = loadConfig({ KAFKA_TOPIC_PARTITIONS: '4', KAFKA_REPLICATION_FACTOR: '1', KAFKA_SESSION_TIMEOUT_MS: '6000', KAFKA_HEARTBEAT_INTERVAL_MS: '1999' });
  t.same(
    [tuned.kafka.topicPartitions, tuned.kafka.replicationFactor, tuned.kafka.sessionTimeoutMs, tuned.kafka.heartbeatIntervalMs],
    [4, 1, 6000, 1999],
  );
});

for (const [env, message] of badValues) {
  t.test(`loadConfig › refuses ${JSON.stringify(env)} naming the variable`, async (t) => {
    t.throws(() => loadConfig(env), { name: 'ConfigError', message });
  });
}

t.test('loadConfig › a partial process without Kafka refuses to start, saying why', async (t) => {
  t.throws(() => loadConfig({ ROLE: 'api' }), ConfigError);
  t.throws(() => loadConfig({ MODULES: 'profile' }), { message: /needs KAFKA_BROKERS: the local transport delivers events only inside one process/ });
  t.doesNotThrow(() => loadConfig({ ROLE: 'relay', KAFKA_BROKERS: 'k:9092' }));
});

t.test('loadConfig › tokens: a local key by default, an OpenID Connect provider with AUTH_JWKS_URL', async (t) => {
  t.same(loadConfig({}).auth, { kind: 'local', issuer: 'payments-platform', audience: 'payments-platform' });
  t.same(
    loadConfig({ AUTH_JWKS_URL: 'https://id.example.test/jwks', AUTH_ISSUER: 'https://id.example.test', AUTH_AUDIENCE: 'payments-api' }).auth,
    { kind: 'jwks', jwksUrl: 'https://id.example.test/jwks', issuer: 'https://id.example.test', audience: 'payments-api' },
  );
});
