import t from 'tap';
import { buildConsole, horizontalOverflow, launchBrowser, pageProblems, screenshot, signIn } from '../harness/browser.ts';
import { eventually } from '../harness/eventually.ts';
import { platformFor } from '../harness/suite.ts';
import { openAccount } from '../../modules/account/testing/account.kit.ts';

/** The overview on Kafka: consumer lag per partition (committed offset against the high watermark). */
t.test('operator console overview [kafka]', async (t) => {
  await buildConsole();
  const app = await platformFor(t, 'kafka');
  const url = app.url!;
  const browser = await launchBrowser(t);
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  const problems = pageProblems(page);
  page.setDefaultTimeout(15_000);
  await openAccount(app, 'console-kai', { deposit: 50 });

  await signIn(page, url);
  await page.getByTestId('transport').getByText('kafka').waitFor();
  t.pass('the overview names the Kafka transport');
  const partitions = page.getByTestId('partitions');
  await partitions.waitFor();
  const account = `${app.config.kafka.groupPrefix}.account`;
  const rows = partitions.locator('tbody tr').filter({ hasText: account });
  await eventually(async () => (await rows.count()) > 0, { what: 'the account group\'s partitions', timeoutMs: 30_000, intervalMs: 200 });
  t.ok(await rows.count() > 0, 'committed offset, high watermark and lag per partition of each group');
  await screenshot(page, 'overview-kafka');

  await page.setViewportSize({ width: 400, height: 800 });
  t.same(await horizontalOverflow(page), [], 'the partition table scrolls in its own box at 400 px');
  t.same(problems, [], 'no script error or CSP refusal');
});
