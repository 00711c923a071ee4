// A leader's overview at a desk and on a phone: every tile opens the requests it counts,
// every measure has its definition a click away, the overdue count is explained beside
// the shorter list of what is overdue now; a figure's requests download as a
// spreadsheet; charts show their axes and a long ranking lies on its side, every unit
// named.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import XLSX from 'xlsx';

import { assertAccessible } from './lib/a11y.js';
import { loggedInContext, PHONE, saveScreenshot, scratchDir, useBrowser } from './lib/browser.js';
import { serverUrl } from './lib/server.js';

const url = await serverUrl(after);
const browser = useBrowser(before, after);
const dir = scratchDir(after);

const DESKTOP = { viewport: { width: 1366, height: 900 } };

test("a leader's tiles open their requests, each with its definition at hand", async (t) => {
  const context = await loggedInContext(browser(), url, 'leader_s01', DESKTOP);
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto('/work/overview');
  await page.waitForSelector('#trend[data-drawn]');
  await assertAccessible(page, assert, 'the overview');

  const tiles = page.locator('#figures .figure');
  const count = await tiles.count();
  assert.ok(count >= 8);
  for (let i = 0; i < count; i++) {
    const tile = tiles.nth(i);
    assert.equal(await tile.locator('a.value[href^="/work/figures?"]').count(), 1, `${await tile.innerText()} is a link`);
    const how = await tile.locator('a.how').getAttribute('href');
    assert.ok((await page.locator(`${how}`).innerText()).length > 5, `${how} defines it`);
  }

  // The overdue count and the list beneath it, explained with both numbers.
  const overdue = await page.locator('#figure-overdue_count a.value b').innerText();
  const listed = await page.locator('#overdue-list li').count();
  const note = await page.locator('#overdue-note').innerText();
  assert.ok(note.includes(`“超期数”${overdue} 件`), note);
  assert.ok(note.includes(`此处显示 ${listed} 件`), note);
  await saveScreenshot(page, 'leader-desktop', { fullPage: false });

  // The intake tile lists the requests it counts, and they download as a spreadsheet.
  const intake = await page.locator('#figure-intake a.value b').innerText();
  await page.locator('#figure-intake a.value').click();
  await page.waitForURL(/\/work\/figures\?/);
  assert.equal(await page.locator('#figure-value').innerText(), intake);
  await assertAccessible(page, assert, 'a figure page');
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#figure-export').click()]);
  assert.match(download.suggestedFilename(), /\.xlsx$/);
  const file = join(dir, 'figure.xlsx');
  await download.saveAs(file);
  const book = XLSX.read(readFileSync(file));
  const rows = XLSX.utils.sheet_to_json(book.Sheets[book.SheetNames[0]], { header: 1 });
  assert.deepEqual(rows[0].slice(0, 3), ['编号', '标题', '状态']);
  assert.equal(rows.length - 1, Number(intake), 'one row for each request the figure counts');
});

test("the district's ranking chart names all its units and shows its axes", async (t) => {
  const context = await loggedInContext(browser(), url, 'supervisor', DESKTOP);
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto('/work/dashboard');
  await page.waitForSelector('#ranking-chart[data-drawn]');
  const option = await page.evaluate(() => {
    const chart = window.echarts.getInstanceByDom(document.getElementById('ranking-chart'));
    const o = chart.getOption();
    return { x: o.xAxis[0], y: o.yAxis[0], label: o.series[0].label };
  });
  const units = await page.locator('table.ranking tbody tr').count();
  assert.equal(option.y.type, 'category', 'many bars lie on their side');
  assert.equal(option.y.data.length, units, 'one bar a unit');
  assert.equal(option.y.axisLabel.interval, 0, 'every unit named');
  assert.ok(option.x.axisLine.show && option.y.axisLine.show, 'both axes drawn');
  assert.equal(option.label.show, true, 'bars carry their values');
  const height = await page.locator('#ranking-chart').evaluate((e) => e.clientHeight);
  assert.ok(height >= units * 20, `room for every name (${height}px for ${units})`);
  const trend = await page.evaluate(() => window.echarts.getInstanceByDom(document.getElementById('trend')).getOption());
  assert.ok(trend.xAxis[0].axisLine.show && trend.yAxis[0].axisLine.show, 'the trend shows its axes');
  await assertAccessible(page, assert, 'the dashboard');
});

test("a leader's overview fits a phone", async (t) => {
  const context = await loggedInContext(browser(), url, 'leader_s01', PHONE);
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto('/work/overview');
  await page.waitForSelector('#trend[data-drawn]');
  assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 390);
  await assertAccessible(page, assert, 'the overview on a phone');
  await saveScreenshot(page, 'leader-phone', { fullPage: false });
});
