/** `npm run kafka:jars`: fetches the pinned Kafka broker's jars (once) and prints where they are. */
import { kafkaJars, pinnedKafkaVersion } from './kafka-broker.ts';

const [directory, version] = await Promise.all([kafkaJars(), pinnedKafkaVersion()]);
console.log(`Apache Kafka ${version} (KRaft, local test broker): jars in ${directory}`);
