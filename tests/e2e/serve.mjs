// The clerk's walk through `hoso serve` in Debian's Chromium, on a phone-sized
// screen: the member list of unit 030, a new member with a bad citizen id (the
// message beside the field), fixed and saved (the record's page), then edited
// (the new occupation shown). A screenshot after each step.
//
//   node serve.mjs URL REPO ARTIFACTS
//
// URL is the server's address (http://127.0.0.1:PORT/), REPO the repository it
// serves (each write is checked there with the git CLI as it is made),
// ARTIFACTS a directory for the screenshots. Prints the
// new record's id on the last line of stdout. Exits 1 with "e2e: FAIL: ..." on
// any failed expectation, 2 on bad arguments.
//
// The browser reaches nothing but 127.0.0.1 (lib.mjs).
import { expect, same, log, text, said, cell, submit, follow, run, git, TIMEOUT } from './lib.mjs';

const [url, repo, artifacts] = process.argv.slice(2);
if (!url || !repo || !artifacts || !/^http:\/\/127\.0\.0\.1:[0-9]+\/$/.test(url)) {
  console.error('usage: node serve.mjs http://127.0.0.1:PORT/ REPO ARTIFACTS-DIR');
  process.exit(2);
}

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

await run(url, artifacts, ['POST /new/member 422'], async (page, shot) => {
  // 1. The member list of unit 030.
  let resp = await page.goto(`${url}list/member?unit=030`);
  expect(resp && resp.status() === 200, `GET /list/member: ${resp && resp.status()}`);
  expect(/default-src 'none'|default-src 'self'/.test(resp.headers()['content-security-policy'] ?? ''),
    `the list has a Content-Security-Policy: ${resp.headers()['content-security-policy']}`);
  same(await text(page.locator('main h1')), 'Đảng viên', 'the list\'s heading');
  same(await page.locator('#unit').inputValue(), member.unit, 'the list\'s unit');
  await shot(page, 'list');

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
  // The cell: chosen among the unit's organizations, by name.
  await page.selectOption('#f-cell_id', member.cell_id);
  await page.fill('#f-occupation', member.occupation);
  await shot(page, 'form-filled');

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
  await shot(page, 'bad-citizen-id');

  // 4. Fixed and saved: the record's page, with the name.
  await page.fill('#f-citizen_id', member.citizen_id);
  resp = await submit(page, '/new/member');
  expect(resp.status() === 303, `the fixed form is written (303), not ${resp.status()}: ${await said(page)}`);
  await page.waitForURL(/\/record\/[0-7][0-9A-HJKMNP-TV-Z]{25}$/, { timeout: TIMEOUT });
  const id = page.url().slice(`${url}record/`.length);
  log(`written: member ${id}`);
  same(git(repo, 'log', '-1', '--format=%s', 'main'), `add member ${id} in ${member.unit} (web)`, 'the add\'s commit (git log)');
  expect(git(repo, 'show', `main:data/${member.unit}/member/${id.slice(-1)}/${id}.json`).includes(
    `"citizen_id": "${member.citizen_id}"`), 'the member on main, with the fixed citizen id (git show)');
  same(await text(page.locator('main h1')), member.full_name, 'the record\'s heading');
  same(await text(cell(page, 'Số căn cước')), member.citizen_id, 'the record\'s citizen id');
  same(await text(cell(page, 'Nghề nghiệp')), member.occupation, 'the record\'s occupation');
  same(await text(cell(page, 'Đơn vị')), member.unit, 'the record\'s unit');
  await shot(page, 'record');

  // 5. Edit (Sửa): the form with the record's values; a new occupation.
  await follow(page, 'Sửa', `${url}edit/${id}`);
  same(await page.locator('#f-occupation').inputValue(), member.occupation, 'the edit form\'s occupation');
  same(await page.locator('#f-citizen_id').inputValue(), member.citizen_id, 'the edit form\'s citizen id');
  await page.fill('#f-occupation', member.new_occupation);
  await shot(page, 'edit-form');

  // 6. Saved: the record's page shows the new occupation, and both writes in its history.
  resp = await submit(page, `/edit/${id}`);
  expect(resp.status() === 303, `the edit is written (303), not ${resp.status()}: ${await said(page)}`);
  await page.waitForURL(`${url}record/${id}`, { timeout: TIMEOUT });
  same(await text(cell(page, 'Nghề nghiệp')), member.new_occupation, 'the record\'s occupation, edited');
  same(git(repo, 'log', '-1', '--format=%s', 'main'), `edit member ${id} in ${member.unit} (web)`, 'the edit\'s commit (git log)');
  expect(git(repo, 'show', `main:data/${member.unit}/member/${id.slice(-1)}/${id}.json`).includes(
    `"occupation": "${member.new_occupation}"`), 'the edited occupation on main (git show)');
  const history = await page.locator('main h2 + table td').allTextContents();
  // Each write with what it changed: the edit its one field, the add the record made.
  expect(history.includes(`edit member ${id} in ${member.unit} (web)Nghề nghiệp`) &&
    history.includes(`add member ${id} in ${member.unit} (web)tạo mới`), `the history shows both writes: ${JSON.stringify(history)}`);
  await shot(page, 'edited');

  return id;
});
