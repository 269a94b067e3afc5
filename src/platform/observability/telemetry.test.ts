import t from 'tap';
import { ConfigError } from '../../config.ts';
import { otlpConfigured } from './telemetry.ts';

t.test('OpenTelemetry exports only when an OTLP endpoint is configured', async (t) => {
  t.equal(otlpConfigured({}), false, 'nothing set: no export');
  t.equal(otlpConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: '' }), false, 'an empty endpoint is none');
  t.equal(otlpConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }), true);
  t.equal(otlpConfigured({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://collector.example/v1/traces' }), true, 'the traces-only endpoint counts');
  t.equal(otlpConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' }), false, 'OTEL_SDK_DISABLED=true wins');
});

t.test('a malformed endpoint is a configuration error naming the variable', async (t) => {
  t.throws(() => otlpConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }), new ConfigError('OTEL_EXPORTER_OTLP_ENDPOINT must be an http:// or https:// URL of an OTLP receiver (e.g. http://collector:4318), got "collector:4318"'));
  t.throws(() => otlpConfigured({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'not a url' }), /^OTEL_EXPORTER_OTLP_TRACES_ENDPOINT must be an http/);
});
