// A supervisor generates last month's bulletin, its figures equal the stats API's, adds
// remarks and publishes it; the public sees it listed and prints it on A4; the PDF
// command prints the same view.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';

import { loggedInContext, saveScreenshot, scratchDir, useBrowser } from './lib/browser.js';
import { binaryPath, serverUrl } from './lib/server.js';

const url = await serverUrl(after);
const browser = useBrowser(before, after);
const dir = scratchDir(after);

test('a bulletin is generated, reviewed, published and printed', async (t) => {
  const context = await loggedInContext(browser(), url, 'supervisor', { viewport: { width: 1280, height: 900 } });
  t.after(() => context.close());
  const page = await context.newPage();
  page.on('dialog', (dialog) => dialog.accept());
  await page.goto('/work/bulletins');
  const form = page.locator('#generate-form');
  await form.locator('select[name=kind]').selectOption('monthly');
  await form.getByRole('button').click();
  await page.waitForURL(/\/work\/bulletins\/\d+$/);
  const id = page.url().split('/').pop();
  const { from, to, provisional } = await (await context.request.get(`/api/v1/bulletins/${id}`)).json();
  const unit = (await (await context.request.get(`/api/v1/bulletins/${id}`)).json()).unit_id;
  // The date left empty: last month, over, so the bulletin is final.
  assert.ok(new Date(`${to}T23:59:59+08:00`) < new Date(), `${from}..${to} is over`);
  assert.equal(provisional, false);
  assert.equal(await page.locator('#provisional').count(), 0);

  // The figures are the stats API's for the same scope and month.
  const stats = await (await context.request.get(`/api/v1/stats?unit=${unit}&from=${from}&to=${to}`)).json();
  assert.equal(await page.locator('#figure-intake b').innerText(), String(stats.measures.intake));
  const percent = (rate) => (rate === null ? '—' : `${(rate * 100).toFixed(1)}%`);
  assert.equal(await page.locator('#figure-closure_rate b').innerText(), percent(stats.measures.closure_rate));
  assert.ok((await page.locator('#ranking tbody tr').count()) >= 6, 'every subdistrict and town is ranked');
  await page.waitForSelector('#ranking-chart[data-drawn]');

  // A figure leads to exactly the requests it counts.
  await page.locator('#figure-intake a.value').click();
  await page.waitForURL(/\/work\/figures\?/);
  assert.equal(await page.locator('#part-intake .count').innerText(), String(stats.measures.intake));
  await page.goBack();

  await page.locator('#remarks-form textarea').fill('本月超期件集中在城建领域，相关单位请于下周五前书面说明原因。');
  await page.locator('#remarks-form button').click();
  await page.waitForURL(/\/work\/bulletins\/\d+$/);
  await page.locator('#publish-form button').click();
  await page.waitForURL(/\/work\/bulletins\/\d+$/);
  assert.match(await page.locator('#bulletin-status').innerText(), /已发布/);

  // The public list and the A4 print view, without an account.
  const visitor = await browser().newContext({ baseURL: url, locale: 'zh-CN', viewport: { width: 900, height: 1200 } });
  t.after(() => visitor.close());
  const pub = await visitor.newPage();
  await pub.goto('/bulletins');
  await pub.locator(`a[href="/bulletins/${id}"]`).first().click();
  await pub.locator('#print-link').click();
  await pub.waitForURL(/\/print$/);
  await pub.emulateMedia({ media: 'print' });
  assert.equal(await pub.locator('#figure-intake b').innerText(), String(stats.measures.intake));
  assert.match(await pub.locator('#remarks').innerText(), /书面说明原因/);
  assert.equal(await pub.locator('a[href^="/work/"]').count(), 0, 'the public print view links to nothing internal');
  assert.equal(await pub.locator('[data-print]').isVisible(), false);
  await saveScreenshot(pub, 'bulletin');

  // Chromium's own PDF of the same view is A4.
  const pdf = await pub.pdf({ preferCSSPageSize: true });
  const text = pdf.toString('latin1');
  assert.ok(text.startsWith('%PDF'));
  const box = text.match(/\/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]/);
  assert.ok(box, 'the PDF has a page size');
  assert.deepEqual([Math.round(Number(box[1])), Math.round(Number(box[2]))], [595, 842], 'A4 in points');

  // And the command line prints it too.
  const out = join(dir, 'bulletin.pdf');
  await promisify(execFile)(binaryPath(), ['bulletin', 'pdf', '--id', id, '--out', out, '--url', url]);
  assert.ok(readFileSync(out).subarray(0, 4).toString() === '%PDF');
});
