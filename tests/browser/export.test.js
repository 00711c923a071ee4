// An XLSX export downloads and reads back, with an independent reader, with exactly the
// rows the list holds.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import XLSX from 'xlsx';

import { loggedInContext, scratchDir, useBrowser } from './lib/browser.js';
import { createRequests } from './lib/requests.js';
import { serverUrl } from './lib/server.js';

const url = await serverUrl(after);
const browser = useBrowser(before, after);
const dir = scratchDir(after);

async function download(page, linkName, file) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: linkName }).click()]);
  const path = join(dir, file);
  await download.saveAs(path);
  const book = XLSX.read(readFileSync(path));
  return { name: download.suggestedFilename(), book };
}

test('a search exported to Excel reads back with the right rows', async (t) => {
  const dispatcher = await loggedInContext(browser(), url, 'dispatcher');
  t.after(() => dispatcher.close());
  const made = await createRequests(dispatcher, '孔雀', 4);

  const page = await dispatcher.newPage();
  await page.goto(`/work/search?q=${encodeURIComponent('孔雀')}`);
  const { name, book } = await download(page, '导出 Excel', 'search.xlsx');
  assert.match(name, /\.xlsx$/);
  const rows = XLSX.utils.sheet_to_json(book.Sheets[book.SheetNames[0]], { header: 1 });
  assert.deepEqual(rows[0].slice(0, 3), ['编号', '标题', '类型']);
  assert.deepEqual(rows.slice(1).map((r) => String(r[0])).sort(), made);
  assert.ok(rows.slice(1).every((r) => r[1].startsWith('孔雀') && r[4] === '群众' && r[7] === '待受理'));
});

test("a workbench queue exports every row it counts", async (t) => {
  const operator = await loggedInContext(browser(), url, 'operator');
  t.after(() => operator.close());
  await createRequests(operator, '白鹭', 2);
  const page = await operator.newPage();
  await page.goto('/work?queue=intake');
  const count = Number(await page.locator('#queue-intake b').innerText());
  const { book } = await download(page, '导出 Excel', 'queue.xlsx');
  assert.equal(book.SheetNames[0], '待受理');
  const rows = XLSX.utils.sheet_to_json(book.Sheets['待受理'], { header: 1 });
  assert.equal(rows.length - 1, Math.min(count, 10000));
});
