// The admin's catalogue at a desk and on a phone: the 办结时限 column shows the deadline
// that applies to every category — its own, a parent's (named), or the default — and
// a first-level category's days hold for the categories under it.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { assertAccessible } from './lib/a11y.js';
import { loggedInContext, PHONE, saveScreenshot, useBrowser } from './lib/browser.js';
import { serverUrl } from './lib/server.js';

const url = await serverUrl(after);
const browser = useBrowser(before, after);

test('every category shows the deadline that applies and where it comes from', async (t) => {
  const context = await loggedInContext(browser(), url, 'admin', { viewport: { width: 1366, height: 900 } });
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto('/admin/categories');
  const days = await page.locator('#categories tbody td.days').allInnerTexts();
  assert.ok(days.length >= 10);
  assert.ok(days.every((d) => d.trim() !== ''), 'no blank deadline');
  assert.ok(days.some((d) => d.includes('（默认）')), days.slice(0, 3).join(' | '));
  await assertAccessible(page, assert, 'the categories page');

  // Seven working days on a first-level category: its children inherit them, named.
  const last = page.locator('#categories tbody tr').last();
  const name = await last.locator('td a').first().innerText();
  await last.locator('td a').first().click();
  await page.locator('#resolve-days').fill('7');
  await Promise.all([page.waitForNavigation(), page.locator('#change-category button[type=submit]').click()]);
  await page.goto('/admin/categories');
  assert.equal((await page.locator('#categories tbody tr').last().locator('td.days').innerText()).trim(), '7 个工作日');
  const tree = await page.locator('#categories tbody tr').last().locator('a', { hasText: '展开' }).count();
  if (tree > 0) {
    await page.locator('#categories tbody tr').last().locator('a', { hasText: '展开' }).click();
    const under = await page.locator('#categories tbody td.days').allInnerTexts();
    assert.ok(under.slice(1).every((d) => d.includes(`继承自「${name}」`) || /^\d+ 个工作日$/.test(d.trim())), under.join(' | '));
    assert.ok(under.slice(1).some((d) => /^7 个工作日/.test(d.trim()) && d.includes(`（继承自「${name}」）`)), under.join(' | '));
  }
  await page.goto('/admin/categories');
  await saveScreenshot(page, 'admin-desktop', { fullPage: false });
});

test("the admin's pages fit a phone", async (t) => {
  const context = await loggedInContext(browser(), url, 'admin', PHONE);
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto('/admin/categories');
  await assertAccessible(page, assert, 'the categories page on a phone');
  await saveScreenshot(page, 'admin-phone', { fullPage: false });
});
