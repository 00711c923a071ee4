// A resident and a community handler, each on a phone and at a desk: the words people
// use find a category, a refused form keeps its photo, the confirmation says when to
// expect a reply, the track page speaks the resident's words; the workbench opens on
// the work that needs doing, lists become cards, and the request page leads to the next
// step and says what was done.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { assertAccessible } from './lib/a11y.js';
import { loggedInContext, PHONE, saveScreenshot, useBrowser } from './lib/browser.js';
import { communityHandler, someCommunity } from './lib/requests.js';
import { serverUrl } from './lib/server.js';

const url = await serverUrl(after);
const browser = useBrowser(before, after);
const DESKTOP = { viewport: { width: 1366, height: 900 } };

/** The smallest PNG: one transparent pixel. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGMAAQAABQABDQottAAAAABJRU5ErkJggg==', 'base64');

test('a resident on a phone finds a category by the word they use and keeps the photo when asked to choose', async (t) => {
  const context = await browser().newContext({ baseURL: url, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', ...PHONE });
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto('/submit');

  // The skip link is the first stop of the keyboard, and visible when reached.
  await page.keyboard.press('Tab');
  const skip = page.locator('a.skip');
  assert.equal(await skip.innerText(), '跳到主要内容');
  assert.ok(await skip.evaluate((a) => a === document.activeElement && a.getBoundingClientRect().top >= 0));
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'main-content', 'it leads past the navigation');

  assert.equal(await page.locator('#required-legend').innerText(), '带 * 的为必填项');
  assert.equal(await page.locator('#title').getAttribute('aria-required'), 'true');

  // 噪音 lists the noise category; a tap fills in its whole path.
  await page.fill('#category', '噪音');
  const match = page.locator('#category-matches button', { hasText: '噪音污染' });
  await match.first().waitFor();
  await assertAccessible(page, assert, 'the submit form with matches');
  await saveScreenshot(page, 'resident-submit-phone');
  await match.first().click();
  assert.equal(await page.inputValue('#category'), '环境保护 / 环境污染 / 噪音污染');

  // 欠薪 fits two categories: the form comes back with a choice, everything kept.
  await page.fill('#category', '欠薪');
  const community = await page.locator('#unit_id option').nth(1).getAttribute('value');
  await page.selectOption('#unit_id', community);
  await page.fill('#title', '工地拖欠农民工工资');
  await page.fill('#content', '小区旁边的工地拖欠我们三个月工资，多次讨要没有结果。');
  await page.fill('#phone', '13900002222');
  await page.setInputFiles('#photos', { name: 'site.png', mimeType: 'image/png', buffer: PNG });
  await page.click('#send');
  await page.waitForLoadState('load');
  assert.match(await page.getByRole('alert').innerText(), /「欠薪」可能属于以下几个分类/);
  assert.match(await page.locator('#held-photos').innerText(), /已保留您上次上传的 1 张照片/);
  assert.equal(await page.inputValue('#title'), '工地拖欠农民工工资');
  await assertAccessible(page, assert, 'the category choice');
  await saveScreenshot(page, 'resident-choice-phone');
  await page.getByLabel('劳动和社会保障 / 工资福利 / 工资发放').check();
  await page.click('#send');
  await page.waitForLoadState('load');

  // The confirmation: the code to keep, a way to copy it, and when to expect a reply.
  const code = (await page.locator('#tracking-code').innerText()).trim();
  assert.match(code, /^[0-9A-Z]{10}$/);
  assert.match(await page.locator('#reply-by').innerText(), /^预计答复日期：最迟 \d{4}-\d{2}-\d{2}/);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: url });
  await page.click('#copy-code');
  // The clipboard answers asynchronously; the words follow once it has.
  await page.waitForFunction(() => document.getElementById('copy-done').textContent !== '');
  assert.equal(await page.locator('#copy-done').innerText(), '已复制查询码');
  await assertAccessible(page, assert, 'the confirmation');
  await saveScreenshot(page, 'resident-done-phone');

  await page.goto(`/track/${code}`);
  assert.equal(await page.locator('#status').innerText(), '已收到，等待受理');
  assert.equal(await page.locator('#own-photos h4').innerText(), '居民上传');
  await assertAccessible(page, assert, 'the track page');
});

test('a community handler on a phone opens on the pressing queue and is led to the next step', async (t) => {
  const operator = await loggedInContext(browser(), url, 'operator');
  t.after(() => operator.close());
  const dispatcher = await loggedInContext(browser(), url, 'dispatcher');
  t.after(() => dispatcher.close());
  const community = await someCommunity(operator);
  const created = await operator.request.post('/api/v1/requests', {
    data: { kind: 'complaint', title: '楼下烧烤店油烟直排', content: '楼下烧烤店油烟直接排到楼道，晚上无法开窗。', unit_id: community.id, requester_name: '赵女士', requester_phone: '13900003333' },
  });
  assert.equal(created.status(), 201);
  const { id, tracking_code: code } = await created.json();
  const accepted = await (await operator.request.post(`/api/v1/requests/${id}/accept`, { data: { version: 1 } })).json();
  const sent = await dispatcher.request.post(`/api/v1/requests/${id}/dispatch`, { data: { version: accepted.version, unit_id: community.id } });
  assert.equal(sent.status(), 200, await sent.text());

  const login = await communityHandler(operator, community.id);
  const phone = await loggedInContext(browser(), url, login, PHONE);
  t.after(() => phone.close());
  const page = await phone.newPage();
  await page.goto('/work');
  // The queue it opens on is marked, and no queue the handler cannot act on is counted.
  const current = page.locator('nav.counts a[aria-current=page]');
  assert.equal(await current.count(), 1);
  assert.equal(await page.locator('#queue-intake').count(), 0);
  assert.equal(await page.locator('#queue-dispatch').count(), 0);
  const counts = await page.locator('nav.counts a').evaluateAll((links) => links.map((a) => [a.id, Number(a.querySelector('b').textContent)]));
  const pressing = counts.find(([, n]) => n > 0);
  if (pressing) assert.equal(await current.getAttribute('id'), pressing[0], 'it opens on the first queue with work');
  await assertAccessible(page, assert, 'the workbench on a phone');
  await saveScreenshot(page, 'handler-work-phone');

  // The header is one row on a phone: the links fold behind 菜单 and open with it.
  const header = await page.locator('header.top').boundingBox();
  assert.ok(header.height < 70, `the header is ${header.height}px tall on a phone`);
  assert.equal(await page.locator('header.top a[href="/work/search"]').isVisible(), false);
  await page.click('header.top .menu-toggle');
  assert.equal(await page.locator('header.top a[href="/work/search"]').isVisible(), true);
  await saveScreenshot(page, 'handler-menu-phone');
  await page.click('header.top .menu-toggle');

  // Lists are cards on a phone: one row fills the width, its title first.
  await page.goto('/work?queue=claim');
  const card = page.locator(`table.rows tr:has(a[href="/work/requests/${id}"])`);
  const box = await card.boundingBox();
  assert.ok(box.width > 300, `a card is ${box.width}px wide`);
  const titleTop = (await card.locator('td.title').boundingBox()).y;
  const numberTop = (await card.locator('td.number').boundingBox()).y;
  assert.ok(titleTop < numberTop, 'the title comes first on a card');
  const widest = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(widest <= 390, `the page is ${widest}px wide on a 390px phone`);

  await page.goto(`/work/requests/${id}`);
  assert.match(await page.locator('#time-left').innerText(), /^(剩余 \d+ 个工作日|今天到期|已超期 \d+ 天)$/);
  const order = await page.locator('form.action').evaluateAll((forms) => forms.map((f) => f.id));
  assert.equal(order[0], 'action-claim');
  assert.equal(order.at(-1), 'action-return', '退单 last');
  await page.click('#action-claim button[type=submit]');
  await page.waitForLoadState('load');
  assert.equal(await page.locator('#action-done').innerText(), '已完成「领办」。');
  const next = await page.locator('form.action').evaluateAll((forms) => forms.map((f) => f.id));
  assert.equal(next[0], 'action-resolve', '办结答复 first once claimed');
  assert.equal(next.at(-1), 'action-return');
  const colours = await page.evaluate(() => [
    getComputedStyle(document.querySelector('#action-resolve button')).backgroundColor,
    getComputedStyle(document.querySelector('#action-return button')).backgroundColor,
  ]);
  assert.notEqual(colours[0], colours[1], 'the destructive action is coloured apart');
  await assertAccessible(page, assert, 'the request page');
  await saveScreenshot(page, 'handler-request-phone');

  // At a desk the same pages are tables; the resident's page is read there too.
  const desk = await loggedInContext(browser(), url, login, DESKTOP);
  t.after(() => desk.close());
  const wide = await desk.newPage();
  await wide.goto('/work');
  await assertAccessible(wide, assert, 'the workbench at a desk');
  await saveScreenshot(wide, 'handler-work-desktop');
  await wide.goto(`/work/requests/${id}`);
  await saveScreenshot(wide, 'handler-request-desktop');

  const note = await desk.request.get(`/api/v1/requests/${id}`);
  const version = (await note.json()).version;
  const progress = await desk.request.post(`/api/v1/requests/${id}/progress`, { data: { version, note: '已上门督促店家安装油烟净化器，约定三天内完成。' } });
  assert.equal(progress.status(), 200, await progress.text());
  const resident = await browser().newContext({ baseURL: url, locale: 'zh-CN', ...DESKTOP });
  t.after(() => resident.close());
  const track = await resident.newPage();
  await track.goto(`/track/${code}`);
  assert.equal(await track.locator('#status').innerText(), '正在办理');
  assert.equal(await track.locator('#unit').innerText(), community.name);
  assert.match(await track.locator('#steps').innerText(), /已上门督促店家安装油烟净化器/);
  await assertAccessible(track, assert, 'the track page at a desk');
  await saveScreenshot(track, 'resident-track-desktop');
});
