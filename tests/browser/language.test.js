// The language switch changes every visible label of the page.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { useBrowser } from './lib/browser.js';
import { serverUrl } from './lib/server.js';

const url = await serverUrl(after);
const browser = useBrowser(before, after);

const CJK = /[\u4e00-\u9fff]/;

test('switching to English changes every label, and back', async (t) => {
  const context = await browser().newContext({ baseURL: url });
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto('/submit');
  assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
  assert.equal(await page.locator('h1').innerText(), '我要反映');

  await page.click('#lang-switch');
  await page.waitForLoadState('load');
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  assert.equal(await page.locator('h1').innerText(), 'Report a problem');
  // Every label, button and heading is English now; only place names stay Chinese.
  const labels = await page.locator('label, button, h1, header a:not(#lang-switch), option[value=complaint]').allInnerTexts();
  const chinese = labels.filter((text) => CJK.test(text));
  assert.deepEqual(chinese, [], 'labels still in Chinese');

  await page.click('#lang-switch');
  await page.waitForLoadState('load');
  assert.equal(await page.locator('h1').innerText(), '我要反映');
});
