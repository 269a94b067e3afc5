import t from 'tap';
import { AccountBalanceChanged } from '../../modules/account/index.ts';
import type { Transport } from '../../src/platform/messaging/transports/transport.ts';
import { buildConsole, horizontalOverflow, launchBrowser, pageProblems, reloadUntil, screenshot, signIn } from '../harness/browser.ts';
import { eventually } from '../harness/eventually.ts';
import type { TestPlatform } from '../harness/platform.ts';
import { platformFor } from '../harness/suite.ts';
import { bearer, customerAuthorization, operatorHeaders } from '../harness/tokens.ts';
import { openAccount } from '../../modules/account/testing/account.kit.ts';

/**
 * The operator console in a real browser (headless Debian chromium) against the platform listening
 * on 127.0.0.1: sign-in, the overview while a load drains, a poison message fixed and redriven from
 * the dead-letter page and followed in the journey and the audit log, a parked key released, a
 * narrow window and the keyboard. Each page's screenshot goes to test/console/screenshots/.
 */

/** Holds the relay's publishing while closed, so the outbox backlog builds up where the test wants it. */
class Gate {
  private opened: Promise<void> = Promise.resolve();
  private release: (() => void) | undefined;
  close(): void {
    this.opened = new Promise((resolve) => { this.release = resolve; });
  }
  open(): void {
    this.release?.();
  }
  wrap(real: Transport): Transport {
    const gate = this;
    return new Proxy(real, {
      get(target, property, receiver) {
        if (property === 'publish') return async (...args: Parameters<Transport['publish']>) => { await gate.opened; return target.publish(...args); };
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }
}

/** A balance change breaking its contract (`changeAmount` is text): the notification group dead-letters it and parks its key. */
async function commitPoison(app: TestPlatform, accountId: number): Promise<{ id: string }> {
  const { orm, outbox } = app.container.cradle;
  const bad = { accountId, previousBalance: 10, newBalance: 5, changeAmount: 'five', currency: 'EUR', changeReason: 'DEBIT', timestamp: '2026-01-01T00:00:00Z' };
  return orm.em.fork().transactional(async (em) => outbox.add(em, AccountBalanceChanged, bad as never));
}

const gate = new Gate();

t.test('operator console in a browser [local]', async (t) => {
  await buildConsole();
  const app = await platformFor(t, 'local', {
    overrides: { wrapTransport: (real) => gate.wrap(real) },
    // The load pays many times from few accounts.
    env: { FRAUD_MAX_PAYMENTS_PER_MINUTE: '100000' },
  });
  const url = app.url!.replace('localhost', '127.0.0.1');
  const browser = await launchBrowser(t);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems = pageProblems(page);
  if (process.env['CONSOLE_TEST_DEBUG'] === '1') page.on('response', async (response) => { if (response.url().includes('/admin/')) console.error(response.request().method(), response.url(), response.status(), (await response.text().catch(() => '')).slice(0, 300)); });
  page.setDefaultTimeout(15_000);
  const notification = `${app.config.kafka.groupPrefix}.notification`;
  const ann = await openAccount(app, 'console-ann', { deposit: 1000 });
  const bob = await openAccount(app, 'console-bob', { deposit: 1000 });

  t.test('sign in: a customer token is refused, an operator token signs in for the browser session only', async (t) => {
    await page.goto(`${url}/console`);
    t.equal(new URL(page.url()).pathname, '/console/', '/console redirects to /console/');
    await t.resolves(page.getByRole('heading', { name: 'Sign in' }).waitFor(), 'the sign-in page is shown first');
    await screenshot(page, 'sign-in', 'sign-in');

    await signIn(page, url, await customerAuthorization('console-ann'));
    const refusal = page.getByTestId('sign-in-problem');
    await refusal.waitFor();
    t.match(await refusal.textContent(), /customer token may not call GET \/admin\/session|needs an operator token/, 'the problem\'s detail is shown');
    t.equal(await page.evaluate(() => sessionStorage.length), 0, 'nothing is kept for a refused token');

    await signIn(page, url);
    await page.getByTestId('signed-in-as').waitFor();
    t.match(await page.getByTestId('signed-in-as').textContent(), /Signed in as test-operator \(operator\)/, 'who is signed in is shown');
    t.equal(await page.evaluate(() => localStorage.length), 0, 'nothing in localStorage');
    await page.reload();
    await t.resolves(page.getByTestId('signed-in-as').waitFor(), 'a reload keeps the session');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    t.equal(await page.evaluate(() => sessionStorage.length), 0, 'signing out clears sessionStorage');

    // A token the platform stops accepting (expired here) ends the session at the next request.
    await signIn(page, url, await bearer('operator', 'short-lived', 2));
    await page.getByTestId('signed-in-as').waitFor();
    await t.resolves(page.getByRole('heading', { name: 'Sign in' }).waitFor({ timeout: 10_000 }), 'a 401 returns to sign-in');
    await signIn(page, url);
    await page.getByTestId('signed-in-as').waitFor();
  });

  t.test('keyboard: the navigation is reached with Tab, the controls have labels', async (t) => {
    await page.goto(`${url}/console/`);
    await page.getByTestId('signed-in-as').waitFor();
    await page.locator('body').focus();
    const reached: string[] = [];
    for (let n = 0; n < 12; n++) {
      await page.keyboard.press('Tab');
      reached.push(await page.evaluate(() => document.activeElement?.textContent?.trim() ?? ''));
    }
    for (const name of ['Overview', 'Dead letters', 'Parked keys', 'Journey', 'Audit']) t.ok(reached.includes(name), `Tab reaches ${name}`);
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Audit' }).focus();
    await page.keyboard.press('Enter');
    await t.resolves(page.getByRole('heading', { name: 'Audit log' }).waitFor(), 'Enter on a navigation link opens its page');
    await page.goto(`${url}/console/journey`);
    t.equal(await page.getByLabel('Event id or key').count(), 1, 'the journey search is labelled');
    await page.goto(`${url}/console/parked-keys`);
    t.equal(await page.getByLabel('Consumer group').count(), 1, 'the parked-keys filter is labelled');
    t.equal(await page.getByLabel('Reason for releasing').count(), 1, 'and the reason');
  });

  t.test('overview: the outbox backlog shown while a load of payments waits for the relay, then drained', async (t) => {
    await page.goto(`${url}/console/`);
    const backlog = page.getByTestId('backlog');
    await backlog.waitFor();
    t.equal(await page.getByLabel('Outbox backlog').count(), 1, 'the backlog has an accessible name');
    gate.close();
    const payments = Array.from({ length: 60 }, (_, n) => app.request({
      method: 'POST', url: '/payments', headers: { 'idempotency-key': `console-load-${n}` },
      payload: { userName: n % 2 === 0 ? 'console-ann' : 'console-bob', amount: 1 + (n % 7), currency: 'EUR' },
    }));
    const answered = await Promise.all(payments);
    t.ok(answered.every((response) => response.statusCode === 201), 'the payments are accepted');
    const waiting = await eventually(async () => {
      const shown = Number(await backlog.textContent());
      return shown >= 60 ? shown : undefined;
    }, { what: 'the backlog on the page', timeoutMs: 15_000, intervalMs: 200 });
    t.ok(waiting >= 60, `the page shows the backlog (${waiting})`);
    await page.getByTestId('outbox-by-topic').waitFor();
    t.match(await page.getByTestId('outbox-by-topic').textContent(), /payment\.requested/, 'with the topics waiting');
    await screenshot(page, 'overview-backlog');
    gate.open();
    await eventually(async () => (await backlog.textContent()) === '0', { what: 'the backlog drained on the page', timeoutMs: 60_000, intervalMs: 200 });
    t.pass('the backlog drains to 0 as the relay publishes');
    await page.getByTestId('chart-relay').waitFor();
    t.ok(await page.getByTestId(`consumer-${notification}`).isVisible(), 'each consumer group has a row');
    await screenshot(page, 'overview', 'overview');
  });

  t.test('a poison message: found, an invalid fix refused beside its field, a valid fix redriven, its journey and the audit', async (t) => {
    const poison = await commitPoison(app, ann.accountId);
    await page.goto(`${url}/console/dead-letters`);
    const open = page.getByRole('button', { name: new RegExp(`^Open group: ${notification.replace('.', '\\.')}`) });
    await reloadUntil(page, open, 'the dead-letter group on the page');
    await screenshot(page, 'dead-letters', 'dead-letters');
    await open.first().click();
    const letterLink = page.getByRole('link', { name: /^Dead letter \d+$/ }).first();
    await letterLink.click();
    await page.getByRole('heading', { name: /^Dead letter #\d+$/ }).waitFor();
    t.match(await page.getByTestId('payload').textContent(), /"changeAmount": "five"/, 'the payload is shown, pretty-printed');
    t.match(await page.getByTestId('letter-error').textContent(), /changeAmount/, 'and the error');
    await screenshot(page, 'dead-letter');

    await page.getByRole('button', { name: 'Edit payload and redrive' }).click();
    const editor = page.getByLabel('Payload (JSON)');
    const original = JSON.parse(await editor.inputValue()) as Record<string, unknown>;
    await editor.fill('{ "accountId": ');
    t.match(await page.getByTestId('json-status').textContent(), /Not JSON/, 'malformed JSON is reported at once, locally');
    t.ok(await page.getByRole('button', { name: 'Validate' }).isDisabled(), 'and cannot be sent');

    await editor.fill(JSON.stringify({ ...original, changeAmount: 'still five' }, null, 2));
    await page.getByRole('button', { name: 'Validate' }).click();
    await t.resolves(page.getByTestId('field-errors-changeAmount').getByText(/changeAmount/).waitFor(), 'Validate: the error is shown beside changeAmount');
    t.equal(await page.getByTestId('field-errors-currency').textContent(), '', 'and not beside a valid field');
    await page.getByRole('button', { name: 'Redrive with this payload' }).click();
    await page.getByTestId('action-problem').waitFor();
    await t.resolves(page.getByTestId('field-errors-changeAmount').getByText(/changeAmount/).waitFor(), 'a refused redrive (422): its field error beside the field too');
    await page.getByTestId('payload-editor').scrollIntoViewIfNeeded();
    await screenshot(page, 'dead-letter-invalid-edit', 'dead-letter');

    await editor.fill(JSON.stringify({ ...original, changeAmount: -5 }, null, 2));
    await page.getByRole('button', { name: 'Validate' }).click();
    await t.resolves(page.getByText('Valid against the contract').waitFor(), 'the fixed payload validates');
    await page.getByLabel('Reason', { exact: true }).fill('changeAmount was text');
    await page.getByRole('button', { name: 'Redrive with this payload' }).click();
    await page.getByTestId('letter-status').getByText(/redriven/).waitFor();
    t.pass('redriven with the edited payload');

    await page.getByRole('link', { name: poison.id }).click();
    await page.waitForURL(`**/console/journey?eventId=${poison.id}`);
    const handled = page.getByTestId('step-handled').filter({ hasText: notification });
    await reloadUntil(page, handled, 'the redriven event handled in its journey');
    t.ok(await page.getByTestId('step-dead-letter').filter({ hasText: 'redriven' }).count() > 0, 'the journey shows the dead letter, redriven');
    await screenshot(page, 'journey', 'journey');

    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Audit' }).click();
    const first = page.getByTestId('audit-entry').first();
    await first.waitFor();
    t.match(await first.textContent(), /test-operator.*dead-letter\.redrive.*changeAmount was text/, 'the audit page shows the redrive, who and why');
    await screenshot(page, 'audit', 'audit');
  });

  t.test('a caused event opens its own journey; a deep link works', async (t) => {
    const created = await app.request({ method: 'POST', url: '/payments', headers: { 'idempotency-key': 'console-journey' }, payload: { userName: 'console-ann', amount: 3, currency: 'EUR' } });
    t.equal(created.statusCode, 201);
    const [requested] = await app.container.cradle.orm.em.fork().execute<Array<{ event_id: string }>>(
      `select event_id from messaging.outbox where event_type = 'payment.requested' order by id desc limit 1`);
    await page.goto(`${url}/console/journey?eventId=${requested!.event_id}`);
    const caused = page.getByRole('link', { name: /^Journey of / }).first();
    await reloadUntil(page, caused, 'a caused event');
    const name = (await caused.getAttribute('aria-label'))!;
    await caused.click();
    await page.waitForURL((target) => target.searchParams.get('eventId') === name.split(' ').at(-1));
    await t.resolves(page.getByTestId('journey-event').first().waitFor(), 'the caused event\'s journey opens');

    await page.getByLabel('Event id or key').fill(String(ann.accountId));
    await page.keyboard.press('Enter');
    await page.waitForURL((target) => target.searchParams.get('key') === String(ann.accountId));
    await page.getByTestId('journey-event').first().waitFor();
    t.ok(await page.getByTestId('journey-event').count() > 1, 'a key that is not a UUID searches the key: every event of the account');
  });

  t.test('a parked key released from the parked-keys page', async (t) => {
    await commitPoison(app, bob.accountId);
    const deposited = await app.request({ method: 'PUT', url: '/account/operation', payload: { login: 'console-bob', operation: 'DEPOSIT', sum: 5 } });
    t.equal(deposited.statusCode, 200, 'a later event of the key');
    await page.goto(`${url}/console/parked-keys`);
    const row = page.locator(`[data-testid="parked-key"][data-consumer="${notification}"][data-key="${bob.accountId}"]`);
    await reloadUntil(page, row, 'bob\'s parked key on the page');
    await screenshot(page, 'parked-keys', 'parked-keys');
    await page.getByLabel('Reason for releasing').fill('test poison, nothing to fix');
    await page.getByRole('button', { name: `Skip key ${bob.accountId} of ${notification}` }).click();
    await t.resolves(page.getByTestId('action-done').getByText(/Skipped/).waitFor(), 'the page says the key was skipped');
    // The key is released when the group takes the release message: a moment later.
    await reloadUntil(page, row, 'the key gone from the page', false);
    const released = await eventually(async () => {
      const body = (await app.request({ method: 'GET', url: `/admin/parked-keys?consumer=${notification}`, headers: operatorHeaders })).json<{ items: Array<{ key: string }> }>();
      return body.items.every((item) => item.key !== String(bob.accountId));
    }, { what: 'bob\'s key no longer parked', timeoutMs: 30_000 });
    t.ok(released, 'the key is released');
  });

  t.test('letters failing alike are skipped as one group from the dead-letters page', async (t) => {
    const payment = `${app.config.kafka.groupPrefix}.payment`;
    await page.goto(`${url}/console/dead-letters`);
    const open = page.getByRole('button', { name: new RegExp(`^Open group: ${payment.replace('.', '\\.')},`) });
    await reloadUntil(page, open, 'the payment group\'s letters');
    await open.click();
    await page.getByRole('heading', { name: `Letters of ${payment}` }).waitFor();
    const skip = page.getByRole('button', { name: 'Skip group' });
    t.ok(await skip.isDisabled(), 'no skip without a reason');
    await page.getByLabel('Reason for the whole group').fill('test traffic');
    await skip.click();
    await t.resolves(page.getByTestId('action-done').getByText(/^Skipped: 2 dead letters$/).waitFor(), 'both letters of the group are skipped');
    await reloadUntil(page, open, 'the group gone from the page', false);
    t.pass('and the group is gone');
  });

  t.test('a narrow window (400 px): every page fits without horizontal scrolling', async (t) => {
    // The same tab: sessionStorage, and so the session, belongs to one tab.
    const narrow = page;
    await narrow.setViewportSize({ width: 400, height: 800 });
    const [letter] = await app.container.cradle.orm.em.fork().execute<Array<{ id: number }>>('select id from messaging.dead_letter order by id limit 1');
    for (const path of ['/console/', '/console/dead-letters', `/console/dead-letters/${letter!.id}`, '/console/parked-keys', '/console/journey', '/console/audit']) {
      await narrow.goto(`${url}${path}`);
      await narrow.getByRole('heading', { level: 1 }).waitFor();
      t.ok(await narrow.getByTestId('signed-in-as').isVisible(), `${path}: signed in`);
      await narrow.waitForLoadState('networkidle');
      t.same(await horizontalOverflow(narrow), [], `${path} fits 400 px`);
    }
    await narrow.goto(`${url}/console/`);
    await narrow.getByTestId('backlog').waitFor();
    await screenshot(narrow, 'overview-narrow');
    await narrow.setViewportSize({ width: 1280, height: 900 });
  });

  t.test('no page reported a script error or a CSP refusal', async (t) => {
    t.same(problems, []);
  });
});
