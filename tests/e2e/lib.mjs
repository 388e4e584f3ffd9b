// What the walks through `hoso serve` share: expectations, screenshots,
// forms, and Debian's Chromium launched so that it reaches nothing but
// 127.0.0.1 (--host-resolver-rules makes every other name unresolvable;
// Chromium otherwise looks up Google's hosts at start), and any request to
// another origin fails the walk.
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const TIMEOUT = 15000;

export class Failed extends Error {}
export function expect(ok, what) {
  if (!ok) throw new Failed(what);
}
// `what` is `want`: a value read from the page.
export function same(got, want, what) {
  expect(got === want, `${what}: ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
}

const started = Date.now();
export const log = (...a) => console.log(`[${((Date.now() - started) / 1000).toFixed(2)} s]`, ...a);

// What the git CLI says of `repo`: each step's write is checked there as it is made.
export function git(repo, ...args) {
  return execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' }).trim();
}

export async function text(locator) {
  return ((await locator.textContent({ timeout: TIMEOUT })) ?? '').trim();
}

// What the page says, for a message.
export async function said(page) {
  return JSON.stringify((await page.locator('main').innerText().catch(() => '')).slice(0, 300));
}

// The value shown on a record's page beside the label `label`.
export function cell(page, label) {
  return page.locator('main tr').filter({ has: page.locator('th', { hasText: new RegExp(`^${label}$`) }) })
    .locator('td');
}

// Click `button` (default: the page's one submit button) and wait for the POST
// to `path` and the page it leads to. A POST the server does not answer (it
// died: see its stderr) fails at once.
export async function submit(page, path, button) {
  const origin = new URL(page.url()).origin;
  const mine = (r) => r.method() === 'POST' && r.url() === origin + path;
  let onFailed;
  const failed = new Promise((_, reject) => {
    onFailed = (r) => mine(r) && reject(new Failed(`no answer to POST ${path}: ${r.failure()?.errorText}`));
    page.on('requestfailed', onFailed);
  });
  try {
    const [resp] = await Promise.all([
      Promise.race([page.waitForResponse((r) => mine(r.request()), { timeout: TIMEOUT }), failed]),
      (button ?? page.locator('main form[method=post] button[type=submit]')).click(),
    ]);
    await page.waitForLoadState('load');
    return resp;
  } finally {
    page.off('requestfailed', onFailed);
  }
}

// Click the one link named `name` (in Vietnamese) in `where` (default: main) and land on `to`.
export async function follow(page, name, to, where = 'main') {
  const link = page.locator(where).getByRole('link', { name, exact: true });
  const n = await link.count();
  expect(n === 1, `${n} links named "${name}" on ${page.url()}, not 1 (are the pages in Vietnamese? ` +
    `the build's po/locale must hold hoso.mo): ${JSON.stringify(await page.locator(where + ' a').allTextContents())}`);
  await Promise.all([page.waitForURL(to, { timeout: TIMEOUT }), link.click()]);
}

// Run `walk(page, shot)` on a phone's screen in Debian's Chromium: exit 0, or 1
// with "e2e: FAIL: ..." and failure.png. `expected` lists the answers of 400 and
// above a step expects ("POST /new/member 422"); any other, any script error,
// CSP violation or request elsewhere fails the walk. Prints what `walk` returns
// on the last line of stdout.
export async function run(url, artifacts, expected, walk) {
  const origin = url.replace(/\/$/, '');
  const unexpected = [];
  let browser;
  let status = 0;
  let shots = 0;
  // On a phone's screen: nothing wider than it (no sideways scrolling).
  const shot = async (page, name) => {
    const [wide, screen] = await page.evaluate(() =>
      [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
    expect(wide <= screen, `${page.url()} is ${wide} px wide, wider than the phone's ${screen} px`);
    const file = join(artifacts, `${String(++shots).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    log(`screenshot ${file}`);
  };
  try {
    mkdirSync(artifacts, { recursive: true });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      timeout: 30000,
      args: ['--no-sandbox', '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
        '--disable-background-networking', '--disable-quic', '--disable-component-update'],
    });
    log(`Chromium ${browser.version()} (playwright-core, /usr/bin/chromium)`);
    const context = await browser.newContext({
      locale: 'vi-VN',
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    context.setDefaultTimeout(TIMEOUT);
    const page = await context.newPage();
    page.on('pageerror', (e) => unexpected.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource'))
        unexpected.push(`console: ${m.text()} (${m.location().url})`);
    });
    page.on('request', (r) => {
      if (!r.url().startsWith(origin + '/')) unexpected.push(`a request elsewhere: ${r.url()}`);
    });
    page.on('requestfailed', (r) => unexpected.push(`failed: ${r.method()} ${r.url()}: ${r.failure()?.errorText}`));
    page.on('response', async (r) => {
      const what = `${r.request().method()} ${r.url().slice(origin.length)} ${r.status()}`;
      // A form's Origin is what the server's same-origin check reads.
      log(what + (r.request().method() === 'POST' ? ` (Origin: ${await r.request().headerValue('origin')})` : ''));
      // The favicon Chromium asks for by itself: the server has none.
      if (r.status() >= 400 && !expected.includes(what) && what !== 'GET /favicon.ico 404')
        unexpected.push(`answered: ${what}`);
    });
    const result = await walk(page, shot);
    expect(unexpected.length === 0, `the browser saw:\n  ${unexpected.join('\n  ')}`);
    log(`e2e: ${shots} steps passed`);
    console.log(result);
  } catch (e) {
    status = 1;
    console.error(e instanceof Failed ? `e2e: FAIL: ${e.message}` : `e2e: FAIL: ${e.stack ?? e}`);
    if (unexpected.length) console.error(`e2e: the browser also saw:\n  ${unexpected.join('\n  ')}`);
    if (browser) {
      for (const ctx of browser.contexts())
        for (const p of ctx.pages())
          await p.screenshot({ path: join(artifacts, 'failure.png'), fullPage: true })
            .then(() => console.error(`e2e: the page at the failure: ${join(artifacts, 'failure.png')} (${p.url()})`))
            .catch(() => {});
    }
  } finally {
    if (browser) await browser.close();
  }
  process.exit(status);
}
