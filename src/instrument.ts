import { ConfigError } from './config.ts';
import { startTelemetry } from './platform/observability/telemetry.ts';

// Imported first by the entry point: OpenTelemetry must hook http, fastify and pg before they load.
try {
  startTelemetry();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`configuration error: ${error.message}\n`);
  process.exit(2);
}
