// Tasks assigned from above (责任清单) in a browser. The community cadre on a phone finds
// the milestone waiting on them in the demo's 2026年重点任务, reports it with a photo of
// the site, and sees it waiting for review; the subdistrict's leader on a desktop finds
// it among the reports to review and sends it back with a reason, which the cadre then
// reads on the task's page. Every page is photographed on a phone and on a desktop.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { assertAccessible } from './lib/a11y.js';
import { PHONE, loggedInContext, saveScreenshot, useBrowser } from './lib/browser.js';
import { serverUrl } from './lib/server.js';

const url = await serverUrl(after);
const browser = useBrowser(before, after);
const DESKTOP = { viewport: { width: 1280, height: 800 } };

// The smallest PNG: one transparent pixel.
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6300010000050001' +
    '0d0a2db40000000049454e44ae426082',
  'hex',
);

test('a cadre reports a milestone on a phone and a leader sends it back with a reason', async (t) => {
  const cadre = await loggedInContext(browser(), url, 'handler_c001', PHONE);
  t.after(() => cadre.close());
  const page = await cadre.newPage();

  // The workbench's 交办任务: what waits on the cadre, the overdue one marked.
  await page.goto('/work/tasks');
  const waiting = page.locator('#to-report');
  assert.match(await waiting.innerText(), /完成改造方案/);
  assert.match(await waiting.innerText(), /已超期/);
  await saveScreenshot(page, 'tasks-home-phone');
  await assertAccessible(page, assert);

  // The overdue milestone, reported with a photo; its words are required.
  await waiting.getByRole('link', { name: /推进老旧小区改造/ }).first().click();
  await page.waitForURL(/\/work\/tasks\/\d+#milestone-\d+$/);
  const milestone = page.locator('section.milestone', { hasText: '完成改造方案' });
  await milestone.locator('input[name=files]').setInputFiles({ name: '现场.png', mimeType: 'image/png', buffer: PNG });
  await milestone.locator('textarea[name=note]').fill('改造方案已经居民议事会讨论通过');
  await milestone.getByRole('button', { name: '报送进展' }).click();
  await page.waitForURL(/#milestone-\d+$/);
  const reported = page.locator('section.milestone', { hasText: '完成改造方案' });
  assert.match(await reported.locator('.status').innerText(), /已报送待审核/);
  assert.equal(await reported.locator('a.evidence').count(), 1);
  await saveScreenshot(page, 'task-reported-phone');
  await assertAccessible(page, assert);

  // The subdistrict's leader reviews at a desk: a sending back needs its reason.
  const leader = await loggedInContext(browser(), url, 'leader_s01', DESKTOP);
  t.after(() => leader.close());
  const desk = await leader.newPage();
  await desk.goto('/work/tasks');
  const review = desk.locator('#to-review');
  assert.match(await review.innerText(), /完成改造方案/);
  await saveScreenshot(desk, 'tasks-home-desktop');
  await review.getByRole('link', { name: /推进老旧小区改造/ }).first().click();
  const toReview = desk.locator('section.milestone', { hasText: '完成改造方案' });
  await toReview.getByRole('button', { name: '退回重报' }).click();
  assert.match(await desk.locator('#task-error').innerText(), /退回时请写明理由/);
  await desk
    .locator('section.milestone', { hasText: '完成改造方案' })
    .locator('textarea[name=note]')
    .fill('请附方案文本和居民签字表');
  await desk.locator('section.milestone', { hasText: '完成改造方案' }).getByRole('button', { name: '退回重报' }).click();
  await desk.waitForURL(/#milestone-\d+$/);
  assert.match(await desk.locator('section.milestone', { hasText: '完成改造方案' }).innerText(), /被退回待重报/);
  await saveScreenshot(desk, 'task-sent-back-desktop');
  await assertAccessible(desk, assert);

  // The cadre reads the reason, and the report form is there again.
  await page.reload();
  const back = page.locator('section.milestone', { hasText: '完成改造方案' });
  assert.match(await back.innerText(), /请附方案文本和居民签字表/);
  assert.equal(await back.locator('form.report-form').count(), 1);

  // The list's progress, on a desktop.
  await desk.goto('/work/tasks');
  await desk.locator('#task-lists a', { hasText: '2026年重点任务' }).click();
  assert.match(await desk.locator('#tasks').innerText(), /背街小巷环境整治/);
  await saveScreenshot(desk, 'task-list-desktop');
});
