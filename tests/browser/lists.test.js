// A cadre's three lists: the summary line counts what the lists hold, the XLSX export
// downloads as three sheets that read back (with an independent reader) row for row —
// and a fourth of the milestones assigned from above — and the printable view holds all
// three lists.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import XLSX from 'xlsx';

import { loggedInContext, saveScreenshot, scratchDir, useBrowser } from './lib/browser.js';
import { serverUrl } from './lib/server.js';

const url = await serverUrl(after);
const browser = useBrowser(before, after);
const dir = scratchDir(after);

/** The demo district's requests span the last 120 days: its whole history. */
function history() {
  const day = (d) => new Date(d.getTime() + 8 * 3600e3).toISOString().slice(0, 10);
  const now = new Date();
  return { from: day(new Date(now.getTime() - 125 * 86400e3)), to: day(now) };
}

test("a cadre's three lists export as three sheets with the rows the lists hold", async (t) => {
  const context = await loggedInContext(browser(), url, 'handler_c001', { viewport: { width: 1280, height: 900 } });
  t.after(() => context.close());
  const page = await context.newPage();
  const { from, to } = history();
  // A handler sees their own lists; the period is the demo's whole history.
  await page.goto(`/work/lists?from=${from}&to=${to}`);
  const claimed = Number(await page.locator('#summary-claimed').innerText());
  const closed = Number(await page.locator('#summary-closed').innerText());
  assert.ok(claimed > 0, `the demo cadre claimed requests (${claimed})`);
  assert.ok(closed <= claimed);
  assert.match(await page.locator('#lists-summary').innerText(), /^领办 \d+ 件，办结 \d+ 件，办结率 [\d.]+%$/);
  const firstPage = await page.locator('#list-problem tbody tr td:first-child').allInnerTexts();
  assert.equal(firstPage.length, Math.min(claimed, 50));
  await saveScreenshot(page, 'three-lists');

  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#export').click()]);
  assert.match(download.suggestedFilename(), /\.xlsx$/);
  const path = join(dir, 'lists.xlsx');
  await download.saveAs(path);
  const book = XLSX.read(readFileSync(path));
  assert.deepEqual(book.SheetNames, ['问题清单', '任务清单', '效果清单', '上级交办任务']);
  const sheets = book.SheetNames.slice(0, 3).map((name) => XLSX.utils.sheet_to_json(book.Sheets[name], { header: 1 }));
  for (const [i, rows] of sheets.entries()) {
    assert.equal(rows.length - 1, claimed, `${book.SheetNames[i]}: one row per claimed request`);
    // The three lists speak of the same requests, in the same order.
    assert.deepEqual(rows.slice(1).map((r) => String(r[0])), sheets[0].slice(1).map((r) => String(r[0])));
  }
  assert.deepEqual(sheets[0].slice(1, 1 + firstPage.length).map((r) => String(r[0])), firstPage);
  assert.deepEqual(sheets[0][0].slice(0, 3), ['编号', '标题', '诉求人']);
  const closedRows = sheets[2].slice(1).filter((r) => ['已办结（待评价）', '已归档'].includes(r[2]));
  assert.equal(closedRows.length, closed, 'the outcome sheet has as many finished entries as the summary says');
  // The fourth sheet: the milestones assigned from above due in the period, as many as
  // the task list's summary says (the demo's task is due 20 and 2 days ago, and in 60).
  await page.goto(`/work/lists?from=${from}&to=${to}&list=task`);
  const assigned = XLSX.utils.sheet_to_json(book.Sheets['上级交办任务'], { header: 1 });
  assert.match(await page.locator('#assigned-summary').innerText(), new RegExp(`交办任务节点 ${assigned.length - 1} 个`));
  assert.equal(assigned.length - 1, 2);
  // Phone numbers stay masked in the export.
  assert.ok(sheets[0].slice(1).every((r) => !/1\d{10}/.test(String(r[2] ?? ''))));

  // The printable view: all three lists on A4, no navigation.
  await page.goto(`/work/lists/print?from=${from}&to=${to}`);
  for (const id of ['list-problem', 'list-task', 'list-outcome']) {
    assert.equal(await page.locator(`#${id} tbody tr`).count(), claimed, id);
  }
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('[data-print]').isVisible(), false, 'the print button does not print');
});

test('the summary line links to exactly the requests it counts', async (t) => {
  const context = await loggedInContext(browser(), url, 'handler_c001');
  t.after(() => context.close());
  const page = await context.newPage();
  const { from, to } = history();
  await page.goto(`/work/lists?from=${from}&to=${to}`);
  const closed = Number(await page.locator('#summary-closed').innerText());
  await page.locator('#summary-closed').click();
  await page.waitForSelector('#closed-only');
  const rows = await page.locator('#list-outcome tbody tr').count();
  assert.equal(rows, Math.min(closed, 50));
});
