import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The parts of the platform CPU time is charged to, each found by the frames on a sample's stack. */
export const PLATFORM_PARTS = ['HTTP', 'auth', 'ORM', 'pg driver', 'relay', 'consumers', 'kafkajs', 'logging', 'tracing', 'modules', 'other JS', 'GC', 'native'] as const;
export type PlatformPart = (typeof PLATFORM_PARTS)[number];

/** Milliseconds of main-thread CPU per part (idle excluded), summed over the profiles read. */
export type CpuByPart = Record<PlatformPart, number>;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  /** Microseconds on the monotonic clock, as process.hrtime's. */
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** A stretch of the monotonic clock, in microseconds (process.hrtime.bigint() / 1000). */
export interface MonotonicWindow {
  fromUs: number;
  toUs: number;
}

export function monotonicNowUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/**
 * Which part a frame's code belongs to, or undefined when the frame says nothing (Node's own
 * internals, anonymous natives): the sample is then charged by the next frame up the stack.
 * Platform files are checked before packages, so a platform wrapper around a package (the
 * consumer runner around kafkajs, the relay around pg) is charged to the package it spends in.
 */
function partOfFrame(url: string): PlatformPart | undefined {
  if (url === '') return undefined;
  if (url.includes('/node_modules/')) {
    if (/\/node_modules\/(@mikro-orm|knex|kysely)\//.test(url)) return 'ORM';
    if (/\/node_modules\/(pg|pg-protocol|pg-pool|pg-types|postgres-[a-z]+)\//.test(url)) return 'pg driver';
    if (url.includes('/node_modules/kafkajs/')) return 'kafkajs';
    if (/\/node_modules\/(pino|pino-std-serializers|sonic-boom|thread-stream|fast-redact)\//.test(url)) return 'logging';
    if (/\/node_modules\/(jose)\//.test(url)) return 'auth';
    if (url.includes('/node_modules/@opentelemetry/') || url.includes('/node_modules/@fastify/otel/')) return 'tracing';
    if (/\/node_modules\/(fastify|@fastify|find-my-way|light-my-request|avvio|fast-json-stringify|ajv|typebox|@sinclair|fast-querystring|secure-json-parse|content-type|fast-uri|proxy-addr|toad-cache)\//.test(url)) return 'HTTP';
    return 'other JS';
  }
  if (url.includes('/src/platform/http/')) return 'HTTP';
  if (url.includes('/src/platform/auth/')) return 'auth';
  if (url.includes('/src/platform/db/')) return 'ORM';
  if (url.includes('/src/platform/observability/')) return 'tracing';
  if (/\/src\/platform\/messaging\/(outbox-relay|relay)/.test(url) || url.includes('/relay/')) return 'relay';
  if (url.includes('/src/platform/messaging/')) return 'consumers';
  if (url.includes('/modules/')) return 'modules';
  if (url.startsWith('node:') || url.startsWith('internal')) return undefined;
  return 'other JS';
}

function partOfRoot(functionName: string): PlatformPart {
  return functionName === '(garbage collector)' ? 'GC' : 'native';
}

/**
 * Reads every `.cpuprofile` in `dir` (V8's format, as `node --cpu-prof` writes it) and charges the
 * time of each sample taken within `window` to the part of the leaf-most frame that belongs to one.
 * Idle time is left out.
 */
export async function cpuByPart(dir: string, window: MonotonicWindow): Promise<CpuByPart> {
  const totals = Object.fromEntries(PLATFORM_PARTS.map((part) => [part, 0])) as CpuByPart;
  const files = (await readdir(dir)).filter((name) => name.endsWith('.cpuprofile'));
  for (const file of files) {
    const profile = JSON.parse(await readFile(join(dir, file), 'utf8')) as CpuProfile;
    const partOfNode = chargeNodes(profile.nodes);
    let at = profile.startTime;
    profile.samples.forEach((nodeId, i) => {
      const delta = profile.timeDeltas[i] ?? 0;
      at += delta;
      if (at < window.fromUs || at > window.toUs) return;
      const part = partOfNode.get(nodeId);
      if (part !== undefined) totals[part] += delta / 1000;
    });
  }
  for (const part of PLATFORM_PARTS) totals[part] = Math.round(totals[part]);
  return totals;
}

/** Each node's part: its own frame's, else its parent's (undefined for idle). */
function chargeNodes(nodes: ProfileNode[]): Map<number, PlatformPart | undefined> {
  const parentOf = new Map<number, number>();
  for (const node of nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const parts = new Map<number, PlatformPart | undefined>();
  const resolve = (id: number): PlatformPart | undefined => {
    if (parts.has(id)) return parts.get(id);
    const node = byId.get(id)!;
    const name = node.callFrame.functionName;
    let part: PlatformPart | undefined;
    if (name === '(idle)') part = undefined;
    else {
      const own = partOfFrame(node.callFrame.url);
      const parent = parentOf.get(id);
      part = own ?? (parent === undefined || byId.get(parent)!.callFrame.functionName === '(root)' ? partOfRoot(name) : resolve(parent));
    }
    parts.set(id, part);
    return part;
  };
  for (const node of nodes) resolve(node.id);
  return parts;
}
