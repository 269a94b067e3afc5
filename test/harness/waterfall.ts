import { mkdir, writeFile } from 'node:fs/promises';
import { SpanKind } from '@opentelemetry/api';
import type { SpanRecord } from './tracing.ts';

const DOCS_DIR = new URL('../../docs/tracing/', import.meta.url);
const ROW = 18;
const LABEL_WIDTH = 430;
const BAR_WIDTH = 560;
const COLORS: Record<string, string> = { server: '#3b6fb6', create: '#2e8b57', send: '#d9822b', process: '#7b4fb0', internal: '#777777', other: '#9aa5b1' };

/** Spans worth a row in a picture: database statements and fastify's per-hook spans would drown the messaging path. */
function pictured(span: SpanRecord): boolean {
  return !span.name.startsWith('pg.') && !/^(onRequest|preHandler|preValidation|onSend|onResponse|preSerialization) - /.test(span.name);
}

function roleOf(span: SpanRecord): string {
  const operation = span.attributes['messaging.operation.type'];
  if (typeof operation === 'string' && operation in COLORS) return operation;
  if (span.kind === SpanKind.SERVER) return 'server';
  return span.kind === SpanKind.INTERNAL ? 'internal' : 'other';
}

function labelOf(span: SpanRecord): string {
  const count = Number(span.attributes['messaging.batch.message_count'] ?? 1);
  if (count > 1) return `send ${count} events (${span.links.map((link) => String(link.attributes['cloudevents.event_type'])).join(', ')})`;
  const group = span.attributes['messaging.consumer.group.name'];
  const type = span.attributes['cloudevents.event_type'];
  const detail = [type, group === undefined ? undefined : `by ${String(group).split('.').at(-1)!}`].filter((part) => part !== undefined).join(' ');
  return detail === '' ? span.name : `${span.name.split(' ')[0]} ${detail}`;
}

/** Depth-first, children by start time: the order a trace viewer shows. */
function ordered(spans: SpanRecord[]): Array<{ span: SpanRecord; depth: number }> {
  const ids = new Set(spans.map((span) => span.spanId));
  const children = new Map<string, SpanRecord[]>();
  for (const span of spans) {
    const parent = span.parentSpanId !== undefined && ids.has(span.parentSpanId) ? span.parentSpanId : '';
    children.set(parent, [...(children.get(parent) ?? []), span]);
  }
  const rows: Array<{ span: SpanRecord; depth: number }> = [];
  const visit = (parent: string, depth: number): void => {
    for (const span of (children.get(parent) ?? []).sort((a, b) => a.startMs - b.startMs)) {
      rows.push({ span, depth });
      visit(span.spanId, depth + 1);
    }
  };
  visit('', 0);
  return rows;
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** An SVG waterfall of one trace's spans, as a trace viewer draws it. */
export function waterfallSvg(all: SpanRecord[], title: string): string {
  const spans = all.filter(pictured);
  const rows = ordered(spans);
  const start = Math.min(...spans.map((span) => span.startMs));
  const end = Math.max(...spans.map((span) => span.endMs));
  const scale = BAR_WIDTH / Math.max(end - start, 1);
  const height = (rows.length + 3) * ROW;
  const lines = rows.map(({ span, depth }, index) => {
    const y = (index + 2) * ROW;
    const x = LABEL_WIDTH + (span.startMs - start) * scale;
    const width = Math.max((span.endMs - span.startMs) * scale, 1.5);
    const ms = span.endMs - span.startMs;
    return [
      `<text x="${6 + depth * 12}" y="${y + 13}">${escape(labelOf(span))}</text>`,
      `<rect x="${x.toFixed(1)}" y="${y + 3}" width="${width.toFixed(1)}" height="${ROW - 6}" fill="${COLORS[roleOf(span)]}"${span.status === 2 ? ' stroke="#c0392b" stroke-width="2"' : ''}/>`,
      `<text x="${(x + width + 4).toFixed(1)}" y="${y + 13}" fill="#555">${ms < 1 ? ms.toFixed(2) : ms.toFixed(0)} ms</text>`,
    ].join('');
  });
  const legend = Object.entries(COLORS).map(([role, color], index) => `<rect x="${LABEL_WIDTH + index * 90}" y="${height - ROW + 4}" width="10" height="10" fill="${color}"/><text x="${LABEL_WIDTH + 14 + index * 90}" y="${height - ROW + 13}">${role}</text>`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${LABEL_WIDTH + BAR_WIDTH + 80}" height="${height}" font-family="DejaVu Sans, sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="6" y="${ROW - 2}" font-weight="bold">${escape(title)} — ${(end - start).toFixed(0)} ms, ${all.length} spans (${all.length - spans.length} pg and fastify hook spans not drawn)</text>`,
    ...lines,
    ...legend,
    '</svg>',
  ].join('\n');
}

/** With TRACE_WATERFALL=docs, refreshes the README's picture of the trace (docs/tracing/<name>.svg). */
export async function writeWaterfall(spans: SpanRecord[], name: string): Promise<void> {
  if (process.env['TRACE_WATERFALL'] !== 'docs') return;
  await mkdir(DOCS_DIR, { recursive: true });
  await writeFile(new URL(`${name}.svg`, DOCS_DIR), waterfallSvg(spans, `POST /payments → COMPLETED (${name.split('-').at(-1)} transport)`));
}
