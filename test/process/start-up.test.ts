import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { eventually } from '../harness/eventually.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

interface Exited { code: number | null; stderr: string }

function runMain(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/root', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<Exited>((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
  return { child, exited };
}

t.test('npm start › a bad configuration value stops start-up with one line naming the variable', async (t) => {
  const { exited } = runMain({ PORT: 'abc' });
  const { code, stderr } = await exited;
  t.equal(code, 2, 'exit code 2');
  t.equal(stderr.trim(), 'configuration error: PORT must be an integer from 0 to 65535 (got "abc")');
});

t.test('npm start › embedded PostgreSQL: starts, stops cleanly on SIGTERM, and a second start reuses the data', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'payments-start-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const port = String(30_000 + Math.floor(Math.random() * 10_000));
  const env = { DATA_DIR: dataDir, PORT: port, EMBEDDED_PG_PORT: String(Number(port) + 1) };
  const base = `http://127.0.0.1:${port}`;

  const first = runMain(env);
  await eventually(async () => (await fetch(`${base}/health/ready`)).ok, { timeoutMs: 90_000, intervalMs: 250, what: 'first start ready' });
  const created = await fetch(`${base}/profiles`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: 'dora', fullName: 'Dora', email: 'dora@example.org' }),
  });
  t.equal(created.status, 201);
  const { id } = (await created.json()) as { id: number };
  await eventually(async () => ((await (await fetch(`${base}/profiles/${id}`)).json()) as { status: string }).status === 'ACTIVE', { what: 'profile ACTIVE' });
  first.child.kill('SIGTERM');
  const stopped = await first.exited;
  t.equal(stopped.code, 0, 'SIGTERM → clean exit 0');

  const second = runMain(env);
  t.teardown(async () => {
    if (second.child.exitCode === null) second.child.kill('SIGKILL');
  });
  await eventually(async () => (await fetch(`${base}/health/ready`)).ok, { timeoutMs: 60_000, intervalMs: 250, what: 'second start ready' });
  const again = (await (await fetch(`${base}/profiles/${id}`)).json()) as { login: string; status: string };
  t.match(again, { login: 'dora', status: 'ACTIVE' }, 'the second start sees the data of the first');
  second.child.kill('SIGINT');
  t.equal((await second.exited).code, 0, 'SIGINT → clean exit 0');
});
