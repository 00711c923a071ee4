// A resident, on a phone and without an account, submits a request through the portal
// form and follows it by its tracking code.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { PHONE, saveScreenshot, useBrowser } from './lib/browser.js';
import { serverUrl } from './lib/server.js';
import { assertAccessible } from './lib/a11y.js';

const url = await serverUrl(after);
const browser = useBrowser(before, after);

test('a resident submits a request on a phone and tracks it by code', async (t) => {
  const phone = await browser().newContext({ baseURL: url, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', ...PHONE });
  t.after(() => phone.close());
  const page = await phone.newPage();

  await page.goto('/');
  await page.getByRole('link', { name: '我要反映' }).first().click();
  await page.waitForURL('**/submit');
  await page.selectOption('#kind', 'complaint');
  const unit = await page.locator('#unit_id option').nth(1).getAttribute('value');
  await page.selectOption('#unit_id', unit);
  await page.fill('#title', '小区门口路灯不亮');
  await page.fill('#content', '2栋楼下的路灯坏了一个多星期，晚上回家看不清路，老人孩子容易摔倒。');
  await page.fill('#address', '2栋楼下');
  await page.fill('#name', '李先生');
  await page.fill('#phone', '13912345678');
  await saveScreenshot(page, 'portal-submit');
  await page.click('#send');

  const code = (await page.locator('#tracking-code').innerText()).trim();
  assert.match(code, /^[0-9A-Z]{10}$/);
  assert.match(await page.locator('#number').innerText(), /^\d{15}$/);

  await page.getByRole('link', { name: '查看进度' }).click();
  await page.waitForURL(`**/track/${code}`);
  assert.equal(await page.locator('#status').innerText(), '已收到，等待受理');
  const text = await page.locator('main').innerText();
  assert.ok(text.includes('小区门口路灯不亮'), 'the title is shown');
  assert.ok(!text.includes('13912345678') && !text.includes('李先生'), 'no personal data on the public page');
  await saveScreenshot(page, 'portal-track');

  // A wrong code is told so, in Chinese.
  await page.goto('/track/ZZZZZZZZZZ');
  assert.equal(await page.getByRole('alert').innerText(), '查询码不正确，请核对后重试');
});

test('a form posted without its CSRF token is refused and creates nothing', async (t) => {
  const context = await browser().newContext({ baseURL: url, locale: 'zh-CN' });
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto('/submit');
  const unit = await page.locator('#unit_id option').nth(1).getAttribute('value');
  const answer = await page.evaluate(async (unitId) => {
    const body = new URLSearchParams({ kind: 'help', unit_id: unitId, title: '伪造的提交', content: '没有令牌', phone: '13900000000' });
    const response = await fetch('/submit', { method: 'POST', body });
    return { status: response.status, text: await response.text() };
  }, unit);
  assert.equal(answer.status, 403);
  assert.ok(answer.text.includes('页面已过期，请刷新后重新提交'));
  assert.ok(!answer.text.includes('tracking-code'));
});

test('a page that cannot be shown says why in both languages and offers a way on', async (t) => {
  const context = await browser().newContext({ baseURL: url, locale: 'zh-CN' });
  t.after(() => context.close());
  const page = await context.newPage();
  const response = await page.goto('/bulletins/999999999');
  assert.equal(response.status(), 404);
  assert.equal(await page.locator('h1').innerText(), '未找到');
  assert.ok((await page.locator('#refused-other').innerText()).length > 0, 'the English words are under the Chinese');
  assert.equal(await page.locator('#home').getAttribute('href'), '/');
  await assertAccessible(page, assert, 'the error page');
});
