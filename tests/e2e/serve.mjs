// The clerk's walk through `hoso serve` in Debian's Chromium, on a phone-sized
// screen: the member list of unit 030, a new member with a bad citizen id (the
// message beside the field), fixed and saved (the record's page), then edited
// (the new occupation shown). A screenshot after each step.
//
//   node serve.mjs URL REPO ARTIFACTS
//
// URL is the server's address (http://127.0.0.1:PORT/), REPO the repository it
// serves (named in the messages only: tests/integration/test_serve_e2e.sh checks
// it with the git CLI), ARTIFACTS a directory for the screenshots. Prints the
// new record's id on the last line of stdout. Exits 1 with "e2e: FAIL: ..." on
// any failed expectation, 2 on bad arguments.
//
// The browser reaches nothing but 127.0.0.1: --host-resolver-rules makes every
// other name unresolvable (Chromium otherwise looks up Google's hosts at start),
// and any request to another origin fails the test.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const [url, repo, artifacts] = process.argv.slice(2);
if (!url || !repo || !artifacts || !/^http:\/\/127\.0\.0\.1:[0-9]+\/$/.test(url)) {
  console.error('usage: node serve.mjs http://127.0.0.1:PORT/ REPO ARTIFACTS-DIR');
  process.exit(2);
}
const origin = url.replace(/\/$/, '');
const TIMEOUT = 15000;

// The member: valid but for the first citizen id. 002 = Hà Giang, 1 = a woman
// born in the 1900s, 85 = 1985 (plugins/builtin/vn-identity.c).
const member = {
  unit: '030',
  full_name: 'Hoàng Thị Thuỷ',
  gender: 'nu',
  birth_date: '1985-07-14',
  ethnicity: '02',
  bad_citizen_id: '12345',
  citizen_id: '002185004321',
  admission_date: '2010-09-02',
  official_date: '2011-09-02',
  membership: 'chinh_thuc',
  status: 'dang_sinh_hoat',
  cell_id: '01HQ8Z5K3V0000000000000000', // tests/integration/lib.sh's CELL
  occupation: 'Nông dân',
  new_occupation: 'Giáo viên tiểu học',
};

class Failed extends Error {}
function expect(ok, what) {
  if (!ok) throw new Failed(what);
}
// `what` is `want`: a value read from the page.
function same(got, want, what) {
  expect(got === want, `${what}: ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
}
// What the browser saw that no step expects (checked at the end, shown on a failure).
const unexpected = [];

const started = Date.now();
const log = (...a) => console.log(`[${((Date.now() - started) / 1000).toFixed(2)} s]`, ...a);
let shot = 0;
async function screenshot(page, name) {
  // On a phone's screen: nothing wider than it (no sideways scrolling).
  const [wide, screen] = await page.evaluate(() =>
    [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
  expect(wide <= screen, `${page.url()} is ${wide} px wide, wider than the phone's ${screen} px`);
  const file = join(artifacts, `${String(++shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  log(`screenshot ${file}`);
}

// Click a form's submit button and wait for the POST's answer and the page it leads to.
// A POST the server does not answer (it died: see its stderr) fails at once.
async function submit(page, path) {
  const mine = (r) => r.method() === 'POST' && r.url() === origin + path;
  let onFailed;
  const failed = new Promise((_, reject) => {
    onFailed = (r) => mine(r) && reject(new Failed(`no answer to POST ${path}: ${r.failure()?.errorText}`));
    page.on('requestfailed', onFailed);
  });
  try {
    const [resp] = await Promise.all([
      Promise.race([page.waitForResponse((r) => mine(r.request()), { timeout: TIMEOUT }), failed]),
      page.locator('main form[method=post] button[type=submit]').click(),
    ]);
    await page.waitForLoadState('load');
    return resp;
  } finally {
    page.off('requestfailed', onFailed);
  }
}

// Click the one link named `name` (in Vietnamese) and land on `to`.
async function follow(page, name, to) {
  const link = page.locator('main').getByRole('link', { name, exact: true });
  const n = await link.count();
  expect(n === 1, `${n} links named "${name}" on ${page.url()}, not 1 (are the pages in Vietnamese? ` +
    `the build's po/locale must hold hoso.mo): ${JSON.stringify(await page.locator('main a').allTextContents())}`);
  await Promise.all([page.waitForURL(to, { timeout: TIMEOUT }), link.click()]);
}

// What the page says, for a message.
async function said(page) {
  return JSON.stringify((await page.locator('main').innerText().catch(() => '')).slice(0, 300));
}

async function text(locator) {
  return ((await locator.textContent({ timeout: TIMEOUT })) ?? '').trim();
}

// The value shown on a record's page beside the label `label`.
function cell(page, label) {
  return page.locator('main tr').filter({ has: page.locator('th', { hasText: new RegExp(`^${label}$`) }) })
    .locator('td');
}

async function walk(page) {
  // Any script error, CSP violation, request to elsewhere or failed answer
  // fails the walk; but for the refused form (422, checked below) and the
  // favicon Chromium asks for by itself (404: the server has none).
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
    if (r.status() >= 400 && what !== 'POST /new/member 422') unexpected.push(`answered: ${what}`);
  });

  // 1. The member list of unit 030.
  let resp = await page.goto(`${url}list/member?unit=030`);
  expect(resp && resp.status() === 200, `GET /list/member: ${resp && resp.status()}`);
  expect(/default-src 'none'|default-src 'self'/.test(resp.headers()['content-security-policy'] ?? ''),
    `the list has a Content-Security-Policy: ${resp.headers()['content-security-policy']}`);
  same(await text(page.locator('main h1')), 'Đảng viên', 'the list\'s heading');
  same(await page.locator('#unit').inputValue(), member.unit, 'the list\'s unit');
  await screenshot(page, 'list');

  // 2. Add (Thêm hồ sơ): the form, filled, with a bad citizen id.
  await follow(page, 'Thêm hồ sơ', `${url}new/member`);
  same(await text(page.locator('main h1')), 'Thêm hồ sơ', 'the form\'s heading');
  same(await page.locator('#f-_unit').inputValue(), member.unit, 'the form\'s unit (the replica\'s own)');
  same(await text(page.locator('label[for="f-citizen_id"]')), 'Số căn cước *', 'the citizen id\'s label');
  await page.selectOption('#f-_unit', member.unit);
  await page.fill('#f-full_name', member.full_name);
  await page.selectOption('#f-gender', member.gender);
  await page.fill('#f-birth_date', member.birth_date);
  await page.selectOption('#f-ethnicity', member.ethnicity);
  await page.fill('#f-citizen_id', member.bad_citizen_id);
  await page.fill('#f-admission_date', member.admission_date);
  await page.fill('#f-official_date', member.official_date);
  await page.selectOption('#f-membership', member.membership);
  await page.selectOption('#f-status', member.status);
  await page.fill('#f-cell_id', member.cell_id);
  await page.fill('#f-occupation', member.occupation);
  await screenshot(page, 'form-filled');

  // 3. Saved: refused, the message inside the citizen id's label, what was typed kept.
  resp = await submit(page, '/new/member');
  expect(resp.status() === 422, `a bad citizen id is refused with 422, not ${resp.status()}: ${await said(page)}`);
  const problem = page.locator('label[for="f-citizen_id"] span.problem[role="alert"]');
  const where = await page.locator('span.problem').evaluateAll((spans) =>
    spans.map((s) => ({ text: s.textContent, inLabelFor: s.closest('label')?.htmlFor ?? null,
      after: s.previousElementSibling?.outerHTML.slice(0, 60) ?? null })));
  expect(await problem.count() === 1, `one <span class="problem" role="alert"> inside the label for ` +
    `f-citizen_id, not ${await problem.count()}; the problems are: ${JSON.stringify(where)}`);
  expect(await problem.isVisible(), 'the citizen id\'s problem is visible');
  const message = await text(problem);
  expect(message.length > 0, 'the citizen id\'s problem says something');
  log(`the message beside the citizen id: "${message}"`);
  const elsewhere = await page.locator('span.problem').evaluateAll((spans) =>
    spans.filter((s) => s.closest('label')?.htmlFor !== 'f-citizen_id').map((s) => s.textContent));
  expect(elsewhere.length === 0, `problems beside other fields: ${JSON.stringify(elsewhere)}`);
  same(await page.locator('#f-citizen_id').inputValue(), member.bad_citizen_id, 'the citizen id typed, kept');
  same(await page.locator('#f-full_name').inputValue(), member.full_name, 'the name typed, kept');
  same(await page.locator('#f-gender').inputValue(), member.gender, 'the gender chosen, kept');
  same(await page.locator('#f-_unit').inputValue(), member.unit, 'the unit chosen, kept');
  await screenshot(page, 'bad-citizen-id');

  // 4. Fixed and saved: the record's page, with the name.
  await page.fill('#f-citizen_id', member.citizen_id);
  resp = await submit(page, '/new/member');
  expect(resp.status() === 303, `the fixed form is written (303), not ${resp.status()}: ${await said(page)}`);
  await page.waitForURL(/\/record\/[0-7][0-9A-HJKMNP-TV-Z]{25}$/, { timeout: TIMEOUT });
  const id = page.url().slice(`${url}record/`.length);
  log(`written: member ${id}`);
  same(await text(page.locator('main h1')), member.full_name, 'the record\'s heading');
  same(await text(cell(page, 'Số căn cước')), member.citizen_id, 'the record\'s citizen id');
  same(await text(cell(page, 'Nghề nghiệp')), member.occupation, 'the record\'s occupation');
  same(await text(cell(page, 'Đơn vị')), member.unit, 'the record\'s unit');
  await screenshot(page, 'record');

  // 5. Edit (Sửa): the form with the record's values; a new occupation.
  await follow(page, 'Sửa', `${url}edit/${id}`);
  same(await page.locator('#f-occupation').inputValue(), member.occupation, 'the edit form\'s occupation');
  same(await page.locator('#f-citizen_id').inputValue(), member.citizen_id, 'the edit form\'s citizen id');
  await page.fill('#f-occupation', member.new_occupation);
  await screenshot(page, 'edit-form');

  // 6. Saved: the record's page shows the new occupation, and both writes in its history.
  resp = await submit(page, `/edit/${id}`);
  expect(resp.status() === 303, `the edit is written (303), not ${resp.status()}: ${await said(page)}`);
  await page.waitForURL(`${url}record/${id}`, { timeout: TIMEOUT });
  same(await text(cell(page, 'Nghề nghiệp')), member.new_occupation, 'the record\'s occupation, edited');
  const history = await page.locator('main h2 + table td').allTextContents();
  // Each write with what it changed: the edit its one field, the add the record made.
  expect(history.includes(`edit member ${id} in ${member.unit} (web)Nghề nghiệp`) &&
    history.includes(`add member ${id} in ${member.unit} (web)tạo mới`), `the history shows both writes: ${JSON.stringify(history)}`);
  await screenshot(page, 'edited');

  expect(unexpected.length === 0, `the browser saw:\n  ${unexpected.join('\n  ')}`);
  return id;
}

let browser;
let status = 0;
try {
  mkdirSync(artifacts, { recursive: true });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    timeout: 30000,
    args: ['--no-sandbox', '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
      '--disable-background-networking', '--disable-quic', '--disable-component-update'],
  });
  log(`Chromium ${browser.version()} (playwright-core, /usr/bin/chromium), repository ${repo}`);
  const context = await browser.newContext({
    locale: 'vi-VN',
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
  });
  context.setDefaultTimeout(TIMEOUT);
  const page = await context.newPage();
  const id = await walk(page);
  log('e2e: 6 steps passed');
  console.log(id);
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
