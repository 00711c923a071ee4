// Search for a two-character word finds exactly the requests holding it, and the
// filters narrow the result.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { loggedInContext, saveScreenshot, useBrowser } from './lib/browser.js';
import { createRequests } from './lib/requests.js';
import { serverUrl } from './lib/server.js';

const url = await serverUrl(after);
const browser = useBrowser(before, after);

test('searching a two-character word finds the requests that hold it', async (t) => {
  const operator = await loggedInContext(browser(), url, 'operator');
  t.after(() => operator.close());
  // 鹦鹉 (parrot) appears nowhere in the demo district's requests.
  const made = await createRequests(operator, '鹦鹉', 3);

  const page = await operator.newPage();
  await page.goto('/work');
  await page.getByRole('link', { name: '搜索' }).click();
  await page.getByLabel('关键词').fill('鹦鹉');
  await page.getByRole('button', { name: '搜索' }).click();
  await page.waitForURL(/\/work\/search\?q=/);
  const numbers = (await page.locator('table.rows tbody tr td:first-child').allInnerTexts()).sort();
  assert.deepEqual(numbers, made);
  await saveScreenshot(page, 'search');

  // A filter that none of them passes empties the list.
  await page.getByLabel('状态').selectOption({ label: '已归档' });
  await page.getByRole('button', { name: '搜索' }).click();
  await page.waitForURL(/status=closed/);
  assert.equal(await page.locator('#search-none').innerText(), '没有找到符合条件的诉求');

  // One character is too little to search for, and the page says so in Chinese.
  await page.getByLabel('状态').selectOption({ label: '全部' });
  await page.getByLabel('关键词').fill('鹉');
  await page.getByRole('button', { name: '搜索' }).click();
  assert.match(await page.getByRole('alert').innerText(), /关键词太短/);
});
