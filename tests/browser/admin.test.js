// An admin adds a cadre on the admin pages, and the cadre logs in with the password the
// admin gave; staff who are not admins are kept out of those pages.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { saveScreenshot, useBrowser } from './lib/browser.js';
import { DEMO_PASSWORD, serverUrl } from './lib/server.js';

const url = await serverUrl(after);
const browser = useBrowser(before, after);

async function logInByForm(page, login, password) {
  await page.goto('/login');
  await page.fill('#login', login);
  await page.fill('#password', password);
  await page.click('button[type=submit]');
}

test('an admin adds a person who then logs in', async (t) => {
  const context = await browser().newContext({ baseURL: url, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  t.after(() => context.close());
  const page = await context.newPage();
  await logInByForm(page, 'admin', DEMO_PASSWORD);
  await page.waitForURL('**/work');
  await page.click('#nav-admin');
  await page.waitForURL('**/admin/units');
  assert.ok((await page.locator('#units tbody tr').count()) > 10, 'the whole unit tree is listed');

  await page.getByRole('link', { name: '人员账号' }).click();
  await page.waitForURL('**/admin/users');
  const login = `cadre_${Date.now() % 1_000_000}`;
  await page.fill('#new-login', login);
  await page.fill('#new-name', '新任网格员');
  await page.selectOption('#new-role', 'handler');
  const unit = await page.locator('#new-unit option').nth(3).getAttribute('value');
  await page.selectOption('#new-unit', unit);
  await page.fill('#new-password', 'first-pass-1');
  await page.click('#add-user-submit');
  await page.waitForURL(/\/admin\/users\/\d+\?saved=1$/);
  assert.equal(await page.locator('#notice').innerText(), '已保存');
  assert.equal(await page.locator('#user-role').innerText(), '承办人');

  await page.goto('/admin/changes');
  const first = await page.locator('#changes tbody tr').first().innerText();
  assert.ok(first.includes('新增人员') && first.includes(login), first);
  await page.goto('/admin/users');
  await saveScreenshot(page, 'admin');

  // The new cadre logs in with the password the admin set, in a browser of their own.
  const own = await browser().newContext({ baseURL: url, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  t.after(() => own.close());
  const cadre = await own.newPage();
  await logInByForm(cadre, login, 'first-pass-1');
  await cadre.waitForURL('**/work');
  assert.equal(await cadre.locator('#nav-password').innerText(), '新任网格员');
  assert.equal(await cadre.locator('#nav-admin').count(), 0, 'no admin link for a handler');
  const refused = await cadre.goto('/admin/users');
  assert.equal(refused.status(), 403);
  assert.equal(await cadre.getByRole('alert').innerText(), '只有管理员可以使用此页面');
});
