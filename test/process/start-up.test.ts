import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { eventually } from '../harness/eventually.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

interface Exited { code: number | null; stderr: string }

function runMain(env: Record<string, string>, script = 'src/main.ts', args: string[] = []) {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/root', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<Exited & { stdout: string }>((resolve) => child.on('exit', (code) => resolve({ code, stderr, stdout })));
  return { child, exited };
}

/** What `npm run token -- <args>` prints, as an Authorization header. */
async function mintedToken(env: Record<string, string>, ...args: string[]): Promise<string> {
  const { code, stdout, stderr } = await runMain(env, 'src/mint-token.ts', args).exited;
  if (code !== 0) throw new Error(`npm run token ${args.join(' ')} exited ${code}: ${stderr}`);
  return `Bearer ${stdout.trim()}`;
}

t.test('npm start › a bad configuration value stops start-up with one line naming the variable', async (t) => {
  const { exited } = runMain({ PORT: 'abc' });
  const { code, stderr } = await exited;
  t.equal(code, 2, 'exit code 2');
  t.equal(stderr.trim(), 'configuration error: PORT must be an integer from 0 to 65535 (got "abc")');
});

t.test('npm start › a wrong module setting stops start-up the same way, before the database starts', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'settings-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const { code, stderr } = await runMain({ PROCESSING_FAILURE_RATE: '1.5', DATA_DIR: dataDir }).exited;
  t.equal(code, 2, 'exit code 2');
  t.equal(stderr.trim(), 'configuration error: PROCESSING_FAILURE_RATE must be a number from 0 to 1 (got "1.5")');
  t.same(await readdir(dataDir), [], 'no embedded database was created');
});

t.test('npm start › a malformed OTLP endpoint stops start-up before anything starts, naming the variable', async (t) => {
  const { code, stderr } = await runMain({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }).exited;
  t.equal(code, 2, 'exit code 2');
  t.equal(stderr.trim(), 'configuration error: OTEL_EXPORTER_OTLP_ENDPOINT must be an http:// or https:// URL of an OTLP receiver (e.g. http://collector:4318), got "collector:4318"');
});

t.test('npm start › embedded PostgreSQL: starts, stops cleanly on SIGTERM, and a second start reuses the data', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'payments-start-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const port = String(30_000 + Math.floor(Math.random() * 10_000));
  const env = { DATA_DIR: dataDir, PORT: port, EMBEDDED_PG_PORT: String(Number(port) + 1) };
  const base = `http://127.0.0.1:${port}`;

  const first = runMain(env);
  await eventually(async () => (await fetch(`${base}/health/ready`)).ok, { timeoutMs: 90_000, intervalMs: 250, what: 'first start ready' });
  const dora = { authorization: await mintedToken(env, '--login', 'dora') };
  t.equal((await fetch(`${base}/profiles/1`)).status, 401, 'a request without a token is refused');
  const created = await fetch(`${base}/profiles`, {
    method: 'POST', headers: { 'content-type': 'application/json', ...dora },
    body: JSON.stringify({ login: 'dora', fullName: 'Dora', email: 'dora@example.org' }),
  });
  t.equal(created.status, 201);
  const { id } = (await created.json()) as { id: number };
  await eventually(async () => ((await (await fetch(`${base}/profiles/${id}`, { headers: dora })).json()) as { status: string }).status === 'ACTIVE', { what: 'profile ACTIVE' });
  first.child.kill('SIGTERM');
  const stopped = await first.exited;
  t.equal(stopped.code, 0, 'SIGTERM → clean exit 0');

  const second = runMain(env);
  t.teardown(async () => {
    if (second.child.exitCode === null) second.child.kill('SIGKILL');
  });
  await eventually(async () => (await fetch(`${base}/health/ready`)).ok, { timeoutMs: 60_000, intervalMs: 250, what: 'second start ready' });
  const again = (await (await fetch(`${base}/profiles/${id}`, { headers: dora })).json()) as { login: string; status: string };
  t.match(again, { login: 'dora', status: 'ACTIVE' }, 'the second start sees the data of the first, and accepts the token minted for the first (same key)');
  const operator = { authorization: await mintedToken(env, '--role', 'operator', '--subject', 'ana') };
  t.equal((await fetch(`${base}/admin/outbox`, { headers: operator })).status, 200, 'npm run token --role operator mints an operator token');
  t.equal((await fetch(`${base}/admin/outbox`, { headers: dora })).status, 403, "and a customer's token is no operator's");
  second.child.kill('SIGINT');
  t.equal((await second.exited).code, 0, 'SIGINT → clean exit 0');
});
