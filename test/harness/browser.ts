import { execFile } from 'node:child_process';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import type { Test } from 'tap';
import { eventually } from './eventually.ts';
import { OPERATOR_AUTHORIZATION } from './tokens.ts';

/** Debian's chromium (.ci/install-system-deps.sh): playwright-core drives it and downloads no browser. */
export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

const SCREENSHOTS = fileURLToPath(new URL('../console/screenshots/', import.meta.url));
const DOCS = fileURLToPath(new URL('../../docs/console/', import.meta.url));

/** A headless browser for the file's tests, closed after them. */
export async function launchBrowser(t: Test): Promise<Browser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  t.teardown(() => browser.close());
  return browser;
}

/**
 * Problems the page itself reports — an uncaught error, a refused Content-Security-Policy, a failed
 * script — collected so a test can require that there were none.
 */
export function pageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    // A refused request (401, 404, 422) is logged by the browser too; those are answers the tests expect.
    if (message.type() === 'error' && !/Failed to load resource: the server responded with a status of/.test(message.text())) {
      problems.push(`console error: ${message.text()}`);
    }
  });
  return problems;
}

/**
 * Saves a screenshot of the whole page to test/console/screenshots/<name>.png (gitignored); with
 * CONSOLE_SCREENSHOTS=docs and a `docsName`, also the window's view to docs/console/<docsName>.png
 * (the README's pictures, one per page, kept small).
 */
export async function screenshot(page: Page, name: string, docsName?: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true });
  if (process.env['CONSOLE_SCREENSHOTS'] === 'docs' && docsName !== undefined) {
    await mkdir(DOCS, { recursive: true });
    await page.screenshot({ path: `${DOCS}${docsName}.png` });
  }
}

/**
 * What makes the page wider than the window: empty when nothing does, else the outermost elements
 * reaching past its right edge (tag, class, test id), for the failure message.
 */
export async function horizontalOverflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    if (document.documentElement.scrollWidth <= window.innerWidth) return [];
    const wide = [...document.querySelectorAll<HTMLElement>('body *')].filter((element) => element.getBoundingClientRect().right > window.innerWidth + 1);
    const outermost = wide.filter((element) => !wide.some((other) => other !== element && other.contains(element)));
    return [`page ${document.documentElement.scrollWidth} px wide`, ...outermost.map((element) =>
      `${element.tagName.toLowerCase()}${element.className === '' ? '' : `.${String(element.className).replace(/ /g, '.')}`}${element.dataset['testid'] === undefined ? '' : `[${element.dataset['testid']}]`}`)];
  });
}

const CONSOLE = fileURLToPath(new URL('../../console/', import.meta.url));

/** Whether console/dist was built after the last change to the console's sources. */
async function consoleIsCurrent(): Promise<boolean> {
  const built = await stat(`${CONSOLE}dist/index.html`).then((info) => info.mtimeMs, () => 0);
  const sources = [`${CONSOLE}index.html`, `${CONSOLE}vite.config.ts`, ...(await readdir(`${CONSOLE}src`, { recursive: true })).map((name) => `${CONSOLE}src/${name}`)];
  const changed = Math.max(...await Promise.all(sources.map(async (path) => (await stat(path)).mtimeMs)));
  return built > changed;
}

/**
 * Builds the console when its sources changed since console/dist was built, so the browser tests
 * never run a stale console. Test files run in parallel: one builds (a directory as the lock)
 * while the others wait, since a build empties console/dist first.
 */
export async function buildConsole(): Promise<void> {
  const lock = `${CONSOLE}.build-lock`;
  while (!(await consoleIsCurrent())) {
    try {
      await mkdir(lock);
    } catch {
      // Another file is building; a lock left by a killed run is taken over after a minute.
      const since = await stat(lock).then((info) => Date.now() - info.mtimeMs, () => 0);
      if (since > 60_000) await rm(lock, { recursive: true, force: true });
      await sleep(200);
      continue;
    }
    try {
      if (!(await consoleIsCurrent())) await promisify(execFile)(process.execPath, ['--import', 'tsx', `${CONSOLE}build.ts`]);
    } finally {
      await rm(lock, { recursive: true, force: true });
    }
  }
}

/** Reloads the page until `locator` is on it (or, with `shown: false`, gone): for what the platform does a moment later. */
export async function reloadUntil(page: Page, locator: Locator, what: string, shown = true): Promise<void> {
  await eventually(async () => {
    if ((await locator.count() > 0) === shown) return true;
    await page.reload();
    await page.waitForLoadState('networkidle');
    return false;
  }, { what, timeoutMs: 30_000, intervalMs: 500 });
}

/** Opens the console at `url` and signs in with the token of `authorization` (an operator's unless given), as a person pastes it. */
export async function signIn(page: Page, url: string, authorization = OPERATOR_AUTHORIZATION): Promise<void> {
  await page.goto(`${url}/console/`);
  await page.getByLabel('Operator token').fill(authorization.replace(/^Bearer /, ''));
  await page.getByRole('button', { name: 'Sign in' }).click();
}
