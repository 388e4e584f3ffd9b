// The clerk's sync in Debian's Chromium, on a phone-sized screen: a replica
// whose member was edited here and, differently, on another replica that
// synced first. The sync page shows the commit waiting; its button syncs and
// says there is a conflict; the conflicts screen shows both values side by
// side; keeping ours settles it; syncing again sends that to the hub.
//
//   node sync.mjs URL REPLICA HUB MEMBER-ID OURS THEIRS ARTIFACTS
//
// OURS is the value this replica wrote, THEIRS the other replica's;
// tests/integration/test_serve_e2e.sh makes them. Each step is checked in the
// replica and the hub's repository with the git CLI as it is made. The
// browser reaches nothing but 127.0.0.1 (lib.mjs).
import { expect, same, log, text, said, submit, follow, run, git } from './lib.mjs';

const [url, replica, hub, id, ours, theirs, artifacts] = process.argv.slice(2);
if (!url || !replica || !hub || !id || !ours || !theirs || !artifacts ||
  !/^http:\/\/127\.0\.0\.1:[0-9]+\/$/.test(url)) {
  console.error('usage: node sync.mjs http://127.0.0.1:PORT/ REPLICA HUB MEMBER-ID OURS THEIRS ARTIFACTS-DIR');
  process.exit(2);
}
const path = `main:data/030/member/${id.slice(-1)}/${id}.json`;
const conflicts = (repo) => git(repo, 'ls-tree', '-r', '--name-only', 'main', 'data').split('\n')
  .filter((p) => p.includes('/conflict/')).length;

await run(url, artifacts, [], async (page, shot) => {
  // 1. The sync page: this replica's edit waits to be sent.
  let resp = await page.goto(`${url}sync`);
  expect(resp && resp.status() === 200, `GET /sync: ${resp && resp.status()}`);
  same(await text(page.locator('main h1')), 'Đồng bộ với máy chủ của tỉnh', 'the sync page\'s heading');
  same(await text(page.locator('#waiting')), '1', 'the commits waiting');
  await shot(page, 'sync-waiting');

  // 2. Sync now: done, with one conflict; nothing waits any more.
  resp = await submit(page, '/sync');
  expect(resp.status() === 200, `the sync answers 200, not ${resp.status()}: ${await said(page)}`);
  const result = await text(page.locator('main p[role=status]'));
  log(`the sync said: "${result}"`);
  expect(result.startsWith('Đã đồng bộ') && result.includes('1 xung đột'), `the sync says it synced, ` +
    `with one conflict: "${result}"`);
  same(await text(page.locator('#waiting')), '0', 'the commits waiting after the sync');
  same(git(hub, 'rev-parse', 'main'), git(replica, 'rev-parse', 'main'), 'the hub\'s main after the sync (git rev-parse)');
  same(conflicts(hub), 1, 'the conflict records on the hub (git ls-tree)');
  await shot(page, 'synced-with-conflict');

  // 3. The conflicts screen: both values side by side, a button for each.
  await follow(page, 'Xung đột', `${url}conflicts`, 'header');
  const row = page.locator('main tbody tr').filter({ has: page.locator(`a[href="/record/${id}"]`) });
  same(await row.count(), 1, 'the conflicts on the member');
  const cells = await row.locator('td').allTextContents();
  expect(cells[1].includes(ours) && cells[2].includes(theirs), `ours then theirs side by side: ` +
    `${JSON.stringify(cells)}`);
  await shot(page, 'conflict');

  // 4. Keep ours: settled, and the screen says none is open.
  resp = await submit(page, '/resolve', row.locator('td').nth(1).locator('button'));
  expect(resp.status() === 303, `keeping ours is written (303), not ${resp.status()}: ${await said(page)}`);
  await page.waitForURL(`${url}conflicts`);
  same(await text(page.locator('main > p').last()), 'Không có xung đột nào chưa giải quyết.', 'the conflicts left');
  same(git(replica, 'log', '-1', '--format=%s', 'main'), `resolve ${id} occupation: take ours`, 'the settlement\'s commit (git log)');
  expect(git(replica, 'show', path).includes(`"occupation": "${ours}"`), 'ours kept in the replica (git show)');
  same(conflicts(replica), 0, 'the conflict records left in the replica (git ls-tree)');
  await shot(page, 'conflict-settled');

  // 5. Sync again: the settlement goes to the hub.
  await follow(page, 'Đồng bộ', `${url}sync`, 'header');
  same(await text(page.locator('#waiting')), '1', 'the settlement waits to be sent');
  resp = await submit(page, '/sync');
  expect(resp.status() === 200, `the second sync answers 200, not ${resp.status()}`);
  const again = await text(page.locator('main p[role=status]'));
  expect(again.startsWith('Đã đồng bộ') && again.includes('0 xung đột'), `the second sync: "${again}"`);
  same(await text(page.locator('#waiting')), '0', 'the commits waiting after the second sync');
  expect(git(hub, 'show', path).includes(`"occupation": "${ours}"`), 'ours on the hub (git show)');
  same(conflicts(hub), 0, 'the conflict records left on the hub (git ls-tree)');
  await shot(page, 'sent');
  return id;
});
