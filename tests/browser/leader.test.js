// A subdistrict leader's overview draws its trend chart with data.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { loggedInContext, saveScreenshot, useBrowser } from './lib/browser.js';
import { serverUrl } from './lib/server.js';

const url = await serverUrl(after);
const browser = useBrowser(before, after);

test("a leader's chart renders with data", async (t) => {
  const context = await loggedInContext(browser(), url, 'leader_s01', { viewport: { width: 1280, height: 900 } });
  t.after(() => context.close());
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  await page.goto('/work/overview');
  await page.waitForSelector('#trend[data-drawn]');
  const points = Number(await page.locator('#trend').getAttribute('data-drawn'));
  assert.ok(points > 10, `the chart has data points (${points})`);
  const canvas = page.locator('#trend canvas').first();
  const box = await canvas.boundingBox();
  assert.ok(box.width > 300 && box.height > 200, 'the chart has a size');
  // Something was drawn: the canvas is not one flat colour.
  const colours = await canvas.evaluate((c) => {
    const pixels = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const seen = new Set();
    for (let i = 0; i < pixels.length; i += 4 * 97) seen.add(pixels.slice(i, i + 4).join(','));
    return seen.size;
  });
  assert.ok(colours > 3, `the canvas shows a drawing (${colours} colours)`);
  assert.notEqual(await page.locator('#figure-intake b').innerText(), '0');
  assert.deepEqual(errors, [], 'no script errors (the CSP allows our own scripts)');
  await saveScreenshot(page, 'leader-view');
});

test('the public statistics draw the district trend without an account', async (t) => {
  const context = await browser().newContext({ baseURL: url, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 1280, height: 900 } });
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto('/stats');
  await page.waitForSelector('#trend[data-drawn]');
  assert.ok(Number(await page.locator('#trend').getAttribute('data-drawn')) > 10);
  assert.ok((await page.locator('#units tbody tr').count()) >= 6, 'every subdistrict and town has a line');
  await saveScreenshot(page, 'public-stats');
});

test('with no base map configured the map draws on a plain grid and says so', async (t) => {
  const context = await loggedInContext(browser(), url, 'leader_s01', { viewport: { width: 1280, height: 900 } });
  t.after(() => context.close());
  const page = await context.newPage();
  const outside = [];
  page.on('request', (request) => !request.url().startsWith(url) && !request.url().startsWith('data:') && outside.push(request.url()));
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto('/work/map');
  await page.waitForSelector('#map[data-kind]');
  assert.match(await page.locator('#map-no-tiles').innerText(), /未配置底图/);
  assert.ok((await page.locator('#map canvas.leaflet-tile').count()) > 0, 'the grid is drawn');
  assert.notEqual(await page.locator('#map-status').innerText(), '');
  assert.deepEqual(outside, [], 'nothing is fetched from outside');
  assert.deepEqual(errors, []);
  await saveScreenshot(page, 'map-no-tiles', { fullPage: false });
});
